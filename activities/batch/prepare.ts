import { createHash } from 'node:crypto';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import type { BatchChunk, BatchPlan, BatchScoringActivities } from '../../contracts/batch-scoring.js';
import { canonicalJson } from '../../contracts/canonical-json.js';
import {
  cutParquetChunk,
  DatasetInputError,
  deidentifyDataset,
  inferFormat,
  parquetColumnNames,
  parquetRowCount,
  snapshotDataset,
} from '../../data/index.js';
import type { ActivityDependencies } from '../dependencies.js';
import { withHeartbeat } from '../heartbeat.js';
import { temporaryDirectory } from '../local-files.js';
import { fetchSource } from '../pipeline/sources.js';
import { recordStage } from '../stage-recorder.js';
import { batchKeys, readJsonIfPresent } from './keys.js';

// DuckDB streams the input through its buffer pool; beyond this it spills to the scratch folder.
const PREPARE_MEMORY = '512MB';

/**
 * The input cut into chunks any worker can score: fetched (under the same source policy as a
 * pipeline's dataset), converted to Parquet, de-identified by the model's training rules (pii.drop
 * columns dropped, pii.hash columns replaced by their keyed hash, so raw personal data never
 * reaches S3), checked to hold every feature, then split into Parquet chunks of `chunkRows` rows
 * in input order, stored content-addressed. The plan is stored under a key made of everything it
 * depends on, so a retry (or a second batch of the same input) finds it and redoes nothing.
 */
export function createPrepareBatchActivity(
  deps: ActivityDependencies,
): Pick<BatchScoringActivities, 'prepareBatchInput'> {
  return {
    async prepareBatchInput(input) {
      const folder = await temporaryDirectory('batch');
      try {
        const { result } = await recordStage(
          deps,
          { pipelineRunId: input.pipelineRunId, stage: 'prepare', params: { chunkRows: input.chunkRows } },
          () => withHeartbeat(() => prepare(deps, input, folder.path)),
        );
        return result;
      } finally {
        await folder.remove();
      }
    },
  };
}

async function prepare(
  deps: ActivityDependencies,
  input: Parameters<BatchScoringActivities['prepareBatchInput']>[0],
  folder: string,
): Promise<BatchPlan> {
  const source = await fetchSource(deps, input.inputUri, folder);
  const keys = batchKeys(input.modelName);
  const planKey = createHash('sha256')
    .update(
      canonicalJson({
        input: source.sha256,
        format: input.format ?? null,
        features: input.model.features,
        pii: input.model.pii,
        // Which key hashed the personal data, without revealing it.
        key: deps.piiHmacKey
          ? createHash('sha256').update(`mlops-key-id:${deps.piiHmacKey}`).digest('hex')
          : null,
        chunkRows: input.chunkRows,
        code: deps.codeVersion,
      }),
    )
    .digest('hex');
  const stored = await readJsonIfPresent<BatchPlan>(deps, keys.plan(planKey));
  if (stored) return stored;

  const snapshotPath = path.join(folder, 'input.parquet');
  await snapshotDataset({
    inputPath: source.path,
    label: input.inputUri,
    format: input.format ?? inferFormat(input.inputUri),
    outputPath: snapshotPath,
    redactedColumns: [...input.model.pii.drop, ...input.model.pii.hash],
    memoryLimit: PREPARE_MEMORY,
  });
  const names = await parquetColumnNames(snapshotPath);
  const present = (list: readonly string[]) => list.filter((name) => names.includes(name));
  const hash = present(input.model.pii.hash);
  if (hash.length > 0 && !deps.piiHmacKey) {
    throw new DatasetInputError(
      `${input.modelName} v${input.model.version} was trained on ${hash.map((name) => JSON.stringify(name)).join(', ')} hashed (pii.hash): ` +
        'set MLOPS_PII_HMAC_KEY on the workers to the key training used',
    );
  }
  const drop = present(input.model.pii.drop);
  // Nothing personal to drop or hash: the snapshot is already what may be stored.
  const deidentifiedPath =
    drop.length + hash.length > 0 ? path.join(folder, 'deidentified.parquet') : snapshotPath;
  if (deidentifiedPath !== snapshotPath)
    await deidentifyDataset({
      inputPath: snapshotPath,
      outputPath: deidentifiedPath,
      drop,
      hash,
      key: Buffer.from(deps.piiHmacKey ?? ''),
      memoryLimit: PREPARE_MEMORY,
    });
  const kept = names.filter((name) => !input.model.pii.drop.includes(name));
  const missing = input.model.features.filter((feature) => !kept.includes(feature));
  if (missing.length > 0) {
    throw new DatasetInputError(
      `${input.inputUri} lacks the model's features ${missing.map((name) => JSON.stringify(name)).join(', ')}; ` +
        `${input.modelName} v${input.model.version} reads ${input.model.features.map((name) => JSON.stringify(name)).join(', ')}`,
    );
  }
  const chunks = await cutChunks(deps, deidentifiedPath, folder, input.chunkRows, keys.chunks(planKey));
  const plan: BatchPlan = {
    inputSha256: source.sha256,
    rows: chunks.reduce((sum, chunk) => sum + chunk.rows, 0),
    columns: kept,
    chunks,
  };
  await deps.artifacts.put(keys.plan(planKey), JSON.stringify(plan), { contentType: 'application/json' });
  return plan;
}

/** Chunks of `chunkRows` rows in input order, each written to Parquet and stored content-addressed. */
async function cutChunks(
  deps: ActivityDependencies,
  parquetPath: string,
  folder: string,
  chunkRows: number,
  prefix: string,
): Promise<BatchChunk[]> {
  const rows = await parquetRowCount(parquetPath);
  if (rows === 0) throw new DatasetInputError('the input has no rows to score');
  const chunks: BatchChunk[] = [];
  for (let firstRow = 0, index = 0; firstRow < rows; firstRow += chunkRows, index += 1) {
    const chunkPath = path.join(folder, `chunk-${index}.parquet`);
    const written = await cutParquetChunk(parquetPath, { firstRow, rows: chunkRows }, chunkPath, {
      memoryLimit: PREPARE_MEMORY,
    });
    const stored = await deps.artifacts.putFileContentAddressed(prefix, '.parquet', chunkPath);
    chunks.push({
      index,
      firstRow,
      rows: written,
      file: { uri: stored.uri, sha256: stored.sha256, bytes: stored.bytes },
    });
    Context.current().heartbeat({ chunks: chunks.length, rows: firstRow + written });
  }
  return chunks;
}
