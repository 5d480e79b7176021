import { readFile } from 'node:fs/promises';
import type { MetricValues } from '../../contracts/pipeline.js';
import { findVersionWithModelFile } from '../../db/queries/registry.js';
import { computeClassificationMetrics, computeRegressionMetrics } from '../../ml/metrics/index.js';
import { isOnnxModelDocument } from '../../contracts/onnx-model.js';
import { loadModelDocument, predictRow, type RowPrediction, type TaskType } from '../../ml/model/index.js';
import { onnxScorerOf } from '../model-files.js';
import { lowerIsBetter, type PrimaryMetric } from '../../spec/types.js';
import type { ActivityDependencies } from '../dependencies.js';
import { specMetrics } from '../pipeline/scoring.js';
import { localCopy } from '../local-files.js';

export interface ServedModel {
  readonly modelVersionId: number;
  readonly version: number;
  readonly task: TaskType;
  /** Class labels (classification), in probability order; null for regression. */
  readonly classes: readonly string[] | null;
  readonly features: readonly string[];
  readonly target: string;
  readonly primaryMetric: PrimaryMetric;
  /** The version's metrics on its test set when it was trained. */
  readonly testMetrics: MetricValues;
  /** The dataset version it was trained on (null for an imported version). */
  readonly datasetVersionId: number | null;
  /** Predictions for logged inputs, as serving made them (the platform's model or its ONNX file). */
  predictRecords(records: readonly Readonly<Record<string, unknown>>[]): Promise<RowPrediction[]>;
}

/**
 * Runs `work` with a registered version's model (its file from S3, checked), whichever kind it
 * is, and the metric it is judged by; an ONNX session is released after.
 */
export async function withServedModel<T>(
  deps: ActivityDependencies,
  modelName: string,
  version: number,
  work: (served: ServedModel) => Promise<T>,
): Promise<T> {
  const row = await findVersionWithModelFile(deps.db, modelName, version);
  if (!row) throw new Error(`${modelName} has no version ${version} with a model file`);
  const document: unknown = JSON.parse(
    await readFile(
      await localCopy(deps, { uri: row.file.uri, sha256: row.file.sha256, bytes: row.file.bytes }, '.json'),
      'utf8',
    ),
  );
  const identity = {
    modelVersionId: row.version.id,
    version,
    primaryMetric: row.version.primaryMetric,
    testMetrics: row.version.metrics,
    datasetVersionId: row.version.datasetVersionId,
  };
  if (isOnnxModelDocument(document)) {
    const scorer = await onnxScorerOf(deps, document);
    try {
      return await work({
        ...identity,
        task: document.task,
        classes: scorer.classes,
        features: document.features,
        target: document.target.name,
        predictRecords: (records) => scorer.predictRecords(records),
      });
    } finally {
      await scorer.release();
    }
  }
  const model = loadModelDocument(document);
  return work({
    ...identity,
    task: model.task,
    classes: model.classes,
    features: model.document.features,
    target: model.document.target.name,
    predictRecords: async (records) => records.map((record) => predictRow(model, record)),
  });
}

/**
 * A model's metric on labeled production rows, by scoring their logged inputs again (the very
 * predictions serving made, since scoring is deterministic). Null when it cannot be computed
 * (no rows, one class only for AUC).
 */
export async function liveMetric(
  served: ServedModel,
  rows: readonly { inputs: Record<string, unknown>; label: unknown }[],
  metric: string,
): Promise<number | null> {
  if (rows.length === 0) return null;
  if (served.task === 'regression') {
    const actual = Float64Array.from(rows, (row) => Number(row.label));
    const predictions = await served.predictRecords(rows.map((row) => row.inputs));
    const predicted = Float64Array.from(predictions, (prediction) =>
      prediction.task === 'regression' ? prediction.value : Number.NaN,
    );
    return (
      specMetrics({ kind: 'regression', metrics: computeRegressionMetrics({ actual, predicted }) })[metric] ??
      null
    );
  }
  const classes = served.classes ?? [];
  const index = new Map(classes.map((label, position) => [label, position]));
  const kept = rows.filter((row) => index.has(String(row.label)));
  if (kept.length === 0) return null;
  const probabilities = new Float64Array(kept.length * classes.length);
  const predictions = await served.predictRecords(kept.map((row) => row.inputs));
  predictions.forEach((prediction, position) => {
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
