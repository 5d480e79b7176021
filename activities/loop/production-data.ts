import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { snapshotDataset } from '../../data/index.js';
import { withDuckDB } from '../../data/duckdb.js';
import { parquetRelation } from '../../data/parquet.js';
import { quoteIdentifier } from '../../data/sql.js';
import { addLineageEdge } from '../../db/queries/artifacts.js';
import { findDatasetVersion } from '../../db/queries/datasets.js';
import { servedVersions } from '../../db/queries/deployments.js';
import { loggedPredictions } from '../../db/queries/predictions.js';
import { trainingSpecOf } from '../../db/queries/registry.js';
import { hashPiiText, PII_HASH_PATTERN } from '../../ml/pii-hash.js';
import { isFairnessGate, type PipelineSpec } from '../../spec/types.js';
import type { ActivityDependencies } from '../dependencies.js';
import { storeDatasetVersion } from '../pipeline/dataset-versions.js';
import { withHeartbeat } from '../heartbeat.js';
import { localCopy, temporaryDirectory } from '../local-files.js';
import { withServedModel, type ServedModel } from './served-models.js';
import type { ProductionDataInput, ProductionDataOutput } from '../../contracts/loop-stages.js';

const LOGGED_AT = 'logged_at';

/**
 * Retraining data from production: the window's logged predictions joined with the labels sent
 * back for them (optionally after the original training rows), snapshotted as a dataset version
 * like any ingest, linked to the versions that served them. Returns the served model's spec
 * pointed at it, split by time on when each prediction was logged.
 *
 * Personal data: serving hashes `pii.hash` inputs before it logs them and never logs a dropped
 * column, so the rows hold keyed hashes, the values the model was trained on. They are kept as
 * they are (hashing them again would give values no model has seen) and the retraining spec says
 * so (`pii.hashed`); a value that is not a hash (logged raw by a server from before serving
 * hashed) is hashed here, so raw personal data never reaches the snapshot.
 */
export function createProductionDataActivities(deps: ActivityDependencies) {
  return {
    async snapshotProductionData(input: ProductionDataInput): Promise<ProductionDataOutput> {
      const serving = await servedVersions(deps.db, input.modelName);
      if (serving.champion === null) throw new Error(`${input.modelName} serves no champion`);
      // What the champion reads and predicts; its model is not scored here.
      const champion = await withServedModel(
        deps,
        input.modelName,
        serving.champion,
        async (served) => served,
      );
      const { features, target } = champion;
      const original = await trainingSpecOf(deps.db, champion.modelVersionId);
      if (!original)
        throw new Error(
          `v${champion.version} was not trained by a pipeline run of this platform: there is no spec to retrain it with`,
        );
      const hashed = hashedFeatures(original, features);
      const keepHashed = hashedValues(deps, hashed);
      const folder = await temporaryDirectory('production');
      try {
        const rowsFile = path.join(folder.path, 'rows.ndjson');
        const out = createWriteStream(rowsFile);
        const write = async (line: string) => {
          if (!out.write(`${line}\n`)) await once(out, 'drain');
        };
        const writeRecord = (record: Record<string, unknown>) => write(JSON.stringify(keepHashed(record)));
        let trainingRows = 0;
        let productionRows = 0;
        const loggedTimes: number[] = [];
        const servedBy = new Set<number>();
        await withHeartbeat(async () => {
          if (input.includeTrainingData)
            trainingRows = await copyTrainingRows(
              deps,
              champion.datasetVersionId,
              [...features, target],
              hashed.length > 0 ? (line) => writeRecord(JSON.parse(line) as Record<string, unknown>) : write,
            );
          const window = {
            modelName: input.modelName,
            from: new Date(input.windowStart),
            to: new Date(input.windowEnd),
            labeledOnly: true,
          };
          for await (const page of loggedPredictions(deps.db, window)) {
            for (const row of page) {
              const record: Record<string, unknown> = Object.fromEntries(
                features.map((feature) => [feature, row.inputs[feature] ?? null]),
              );
              record[target] = row.label;
              record[LOGGED_AT] = row.createdAt.toISOString();
              await writeRecord(record);
              servedBy.add(row.modelVersionId);
              productionRows += 1;
              loggedTimes.push(row.createdAt.getTime());
            }
          }
          out.end();
          await once(out, 'finish');
        });
        if (productionRows === 0)
          throw new Error(
            `no labeled predictions of ${input.modelName} between ${new Date(input.windowStart).toISOString()} and ${new Date(input.windowEnd).toISOString()}`,
          );
        const parquet = path.join(folder.path, 'production.parquet');
        const snapshot = await snapshotDataset({
          inputPath: rowsFile,
          format: 'json',
          outputPath: parquet,
          redactedColumns: hashed,
        });
        const dataset = await storeDatasetVersion(deps, {
          name: `${input.modelName}-production`,
          parquetPath: parquet,
          snapshot,
          source: {
            kind: 'predictions',
            model: input.modelName,
            deployment: input.modelName,
            window: {
              start: new Date(input.windowStart).toISOString(),
              end: new Date(input.windowEnd).toISOString(),
            },
            servedBy: [...servedBy],
            productionRows,
            trainingRows,
          },
        });
        for (const modelVersionId of servedBy) {
          await addLineageEdge(
            deps.db,
            { kind: 'model_version', id: modelVersionId },
            { kind: 'dataset_version', id: dataset.datasetVersionId },
            'served_predictions',
          );
        }
        return {
          dataset,
          spec: retrainingSpec(
            original,
            champion,
            dataset.uri,
            features,
            target,
            heldOutCutoffs(loggedTimes),
          ),
        };
      } finally {
        await folder.remove();
      }
    },
  };
}

/**
 * The original training rows (features and target) of a version, as NDJSON lines. Their
 * `logged_at` is the epoch: every line has the same keys (one schema when read), none is null
 * (null checks of the spec pass), and the time split keeps them all before production rows.
 */
async function copyTrainingRows(
  deps: ActivityDependencies,
  datasetVersionId: number | null,
  columns: string[],
  write: (line: string) => Promise<void>,
): Promise<number> {
  const dataset = datasetVersionId ? await findDatasetVersion(deps.db, datasetVersionId) : undefined;
  if (!dataset) return 0;
  const file = await localCopy(
    deps,
    { uri: dataset.version.uri, sha256: dataset.version.sha256, bytes: dataset.version.bytes },
    '.parquet',
  );
  return withDuckDB([file], {}, async (connection) => {
    // DuckDB renders each row as JSON itself: its types (BIGINT, timestamps) have no JSON.stringify form.
    const result = await connection.stream(
      `SELECT CAST(to_json(row) AS VARCHAR) AS line FROM (SELECT ${columns.map(quoteIdentifier).join(', ')}, '1970-01-01T00:00:00.000Z' AS ${quoteIdentifier(LOGGED_AT)} FROM ${parquetRelation(file)}) AS row`,
    );
    let count = 0;
    for (
      let chunk = await result.fetchChunk();
      chunk && chunk.rowCount > 0;
      chunk = await result.fetchChunk()
    ) {
      for (const [line] of chunk.getRows()) {
        await write(String(line));
        count += 1;
      }
    }
    return count;
  });
}

/** The features the model reads as keyed hashes: `pii.hash` of its spec, and `pii.hashed` of a retraining. */
function hashedFeatures(spec: PipelineSpec, features: readonly string[]): string[] {
  const piiHashed = new Set([...spec.pii.hash, ...(spec.pii.hashed ?? [])]);
  return features.filter((feature) => piiHashed.has(feature));
}

/** A record with every hashed feature a keyed hash: hashes stay, anything else is hashed now. */
function hashedValues(
  deps: ActivityDependencies,
  hashed: readonly string[],
): (record: Record<string, unknown>) => Record<string, unknown> {
  if (hashed.length === 0) return (record) => record;
  return (record) => {
    for (const feature of hashed) {
      const value = record[feature];
      if (value === null || value === undefined) continue;
      if (typeof value === 'string' && PII_HASH_PATTERN.test(value)) continue;
      if (!deps.piiHmacKey)
        throw new Error(
          `logged predictions hold ${JSON.stringify(feature)} unhashed (from a server that did not hash pii.hash inputs yet), and this worker has no MLOPS_PII_HMAC_KEY to hash it with: set it on every CPU worker`,
        );
      record[feature] = hashPiiText(deps.piiHmacKey, String(value));
    }
    return record;
  };
}

/**
 * The served version's spec, retargeted: this dataset, its features, a time split on when rows
 * were logged. Its PII rules are the original's that still apply to these rows: hashed features
 * are `pii.hashed` (hashes already: not hashed again, hashed at serving); no dropped column is
 * among the rows, so no drop rule applies (naming a column the data lacks fails de-identification).
 */
function retrainingSpec(
  original: PipelineSpec,
  champion: Pick<ServedModel, 'modelVersionId' | 'version' | 'primaryMetric'>,
  uri: string,
  features: readonly string[],
  target: string,
  cutoffs: { validationFrom?: string; testFrom: string },
): PipelineSpec {
  const kept = new Set([...features, target]);
  const hashed = hashedFeatures(original, features);
  return {
    ...original,
    dataset: { uri, format: 'parquet' },
    features: [...features],
    pii: {
      drop: original.pii.drop.filter((column) => kept.has(column)),
      hash: [],
      ...(hashed.length > 0 ? { hashed } : {}),
    },
    // Sensitive columns are not model inputs, so production logs do not hold them.
    sensitive: [],
    validation: {
      ...original.validation,
      columns: Object.fromEntries(
        Object.entries(original.validation.columns).filter(([column]) => kept.has(column)),
      ),
    },
    // Validated and tested on the newest production rows only: the champion never saw them, so the
    // comparison with it is fair (the original training rows, logged at the epoch, all train).
    split: {
      strategy: 'time',
      timeColumn: LOGGED_AT,
      ...cutoffs,
      testFraction: 0.2,
      validationFraction: 0.1,
      seed: 42,
    },
    exclude: [LOGGED_AT],
    train: { ...original.train, search: undefined },
    evaluation: {
      ...original.evaluation,
      // Judged by the metric the champion is judged by; fairness gates need the sensitive columns.
      primaryMetric: champion.primaryMetric,
      gates: original.evaluation.gates.filter((gate) => !isFairnessGate(gate)),
      compareToChampion: true,
    },
    // The lifecycle workflow decides promotion, through a canary.
    deploy: { promote: false },
  };
}

/** Cutoffs that hold out the newest production rows: the last 25% for test, the 15% before for validation. */
function heldOutCutoffs(loggedTimes: number[]): { validationFrom?: string; testFrom: string } {
  const sorted = [...loggedTimes].sort((a, b) => a - b);
  const at = (share: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))];
  const testFrom = at(0.75);
  // Rows logged together share their time, so the 60% row may already be the test's: validation
  // then starts at the latest earlier time, and there is none when nothing came before the test.
  let validationFrom: number | undefined = at(0.6);
  if (validationFrom >= testFrom) {
    validationFrom = undefined;
    for (const time of sorted) if (time < testFrom) validationFrom = time;
  }
  return {
    ...(validationFrom === undefined ? {} : { validationFrom: new Date(validationFrom).toISOString() }),
    testFrom: new Date(testFrom).toISOString(),
  };
}
