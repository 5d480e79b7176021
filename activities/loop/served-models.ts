import { readFile } from 'node:fs/promises';
import type { MetricValues } from '../../contracts/pipeline.js';
import { findVersionWithModelFile } from '../../db/queries/registry.js';
import { computeClassificationMetrics, computeRegressionMetrics } from '../../ml/metrics/index.js';
import { loadModelDocument, predictRow, type LoadedModel } from '../../ml/model/index.js';
import { lowerIsBetter, type PrimaryMetric } from '../../spec/types.js';
import type { ActivityDependencies } from '../dependencies.js';
import { specMetrics } from '../pipeline/scoring.js';
import { localCopy } from '../local-files.js';

export interface ServedModel {
  readonly modelVersionId: number;
  readonly version: number;
  readonly model: LoadedModel;
  readonly primaryMetric: PrimaryMetric;
  /** The version's metrics on its test set when it was trained. */
  readonly testMetrics: MetricValues;
  /** The dataset version it was trained on (null for an imported version). */
  readonly datasetVersionId: number | null;
}

/** A registered version's model document (from S3, checked) with the metric it is judged by. */
export async function loadServedModel(
  deps: ActivityDependencies,
  modelName: string,
  version: number,
): Promise<ServedModel> {
  const row = await findVersionWithModelFile(deps.db, modelName, version);
  if (!row) throw new Error(`${modelName} has no version ${version} with a model file`);
  const path = await localCopy(
    deps,
    { uri: row.file.uri, sha256: row.file.sha256, bytes: row.file.bytes },
    '.json',
  );
  return {
    modelVersionId: row.version.id,
    version,
    model: loadModelDocument(await readFile(path, 'utf8')),
    primaryMetric: row.version.primaryMetric,
    testMetrics: row.version.metrics,
    datasetVersionId: row.version.datasetVersionId,
  };
}

/**
 * A model's metric on labeled production rows, by scoring their logged inputs again (the very
 * predictions serving made, since scoring is deterministic). Null when it cannot be computed
 * (no rows, one class only for AUC).
 */
export function liveMetric(
  served: ServedModel,
  rows: readonly { inputs: Record<string, unknown>; label: unknown }[],
  metric: string,
): number | null {
  if (rows.length === 0) return null;
  const { model } = served;
  if (model.task === 'regression') {
    const actual = Float64Array.from(rows, (row) => Number(row.label));
    const predicted = Float64Array.from(rows, (row) => {
      const prediction = predictRow(model, row.inputs);
      return prediction.task === 'regression' ? prediction.value : Number.NaN;
    });
    return (
      specMetrics({ kind: 'regression', metrics: computeRegressionMetrics({ actual, predicted }) })[metric] ??
      null
    );
  }
  const classes = model.classes ?? [];
  const index = new Map(classes.map((label, position) => [label, position]));
  const kept = rows.filter((row) => index.has(String(row.label)));
  if (kept.length === 0) return null;
  const probabilities = new Float64Array(kept.length * classes.length);
  kept.forEach((row, position) => {
    const prediction = predictRow(model, row.inputs);
    if (prediction.task !== 'regression')
      probabilities.set(prediction.probabilities, position * classes.length);
  });
  const actual = Int32Array.from(kept, (row) => index.get(String(row.label)) ?? 0);
  const metrics = computeClassificationMetrics({
    actual,
    probabilities,
    classCount: classes.length,
    classLabels: [...classes],
  });
  return specMetrics({ kind: 'classification', metrics })[metric] ?? null;
}

export function isLowerBetter(metric: string): boolean {
  return lowerIsBetter.has(metric as PrimaryMetric);
}
