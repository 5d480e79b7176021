import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { BatchScoringActivities, ScoreChunkInput } from '../../contracts/batch-scoring.js';
import { errorTypes } from '../../contracts/errors.js';
import {
  loadParquetFrame,
  parquetRowsAt,
  writeScoredParquet,
  type ChunkPredictions,
} from '../../data/index.js';
import { findArtifact } from '../../db/queries/artifacts.js';
import { findAliasedVersion, findModelVersion, trainingSpecOf } from '../../db/queries/registry.js';
import { insertPredictionLogs } from '../../db/queries/serving.js';
import type { ActivityDependencies } from '../dependencies.js';
import { withHeartbeat } from '../heartbeat.js';
import { localCopy, temporaryDirectory } from '../local-files.js';
import { readScoringModel } from '../model-files.js';
import { recordStage } from '../stage-recorder.js';
import { outputLocation } from './output.js';

export function createScoreBatchActivities(
  deps: ActivityDependencies,
): Pick<BatchScoringActivities, 'resolveBatchModel' | 'scoreBatchChunk'> {
  return {
    /** The version to score with (a number or the champion), its model file, features and PII rules. */
    async resolveBatchModel({ modelName, version }) {
      const found =
        version === 'champion'
          ? await findAliasedVersion(deps.db, modelName, 'champion')
          : await findModelVersion(deps.db, modelName, version);
      if (!found)
        throw ApplicationFailure.create({
          ...errorTypes.notFound,
          message:
            version === 'champion'
              ? `${modelName} has no champion to score with; name a version (${modelName}@<version>) or promote one`
              : `${modelName} has no version ${version}; \`mlops models show ${modelName}\` lists them`,
        });
      const file = found.modelArtifactId ? await findArtifact(deps.db, found.modelArtifactId) : undefined;
      if (!file)
        throw ApplicationFailure.create({
          ...errorTypes.notFound,
          message: `${modelName} v${found.version} was registered without a model file: it cannot score`,
        });
      const model = await readScoringModel(deps, file);
      await model.release();
      const pii = (await trainingSpecOf(deps.db, found.id))?.pii;
      return {
        modelVersionId: found.id,
        version: found.version,
        modelFile: file,
        features: model.features,
        // Columns a retraining kept hashed reached the model hashed too: raw input hashes them alike.
        pii: { drop: pii?.drop ?? [], hash: [...(pii?.hash ?? []), ...(pii?.hashed ?? [])] },
      };
    },

    /**
     * One chunk: its de-identified rows scored by the model and written as one Parquet part at a
     * fixed key of the output (a retry, here or on another worker, writes the same bytes there),
     * with a sample logged for the monitor when asked (skipped if already written, by prediction id).
     */
    async scoreBatchChunk(input) {
      const startedAt = Date.now();
      const folder = await temporaryDirectory('score');
      try {
        const { result } = await recordStage(
          deps,
          {
            pipelineRunId: input.pipelineRunId,
            stage: `score/chunk-${String(input.chunk.index).padStart(5, '0')}`,
            inputs: { chunk: input.chunk.file },
            params: { firstRow: input.chunk.firstRow, rows: input.chunk.rows },
          },
          () => withHeartbeat(() => scoreChunk(deps, input, folder.path)),
        );
        return { ...result, workerIdentity: deps.workerIdentity, durationMs: Date.now() - startedAt };
      } finally {
        await folder.remove();
      }
    },
  };
}

async function scoreChunk(deps: ActivityDependencies, input: ScoreChunkInput, folder: string) {
  const chunkPath = await localCopy(deps, input.chunk.file, '.parquet');
  const model = await readScoringModel(deps, input.model.modelFile);
  let predictions: ChunkPredictions;
  try {
    predictions = await model.predictFrame(await loadParquetFrame(chunkPath, model.features));
  } finally {
    await model.release();
  }
  const partPath = path.join(folder, 'part.parquet');
  const rows = await writeScoredParquet({
    chunkPath,
    outputPath: partPath,
    firstRow: input.chunk.firstRow,
    predictionIdPrefix: input.predictionIdPrefix,
    predictions,
  });
  const output = outputLocation(deps, input.outputUri);
  const stored = await output.store.putFile(output.partKey(input.chunk.index), partPath);
  if (input.monitorRows > 0) await logSample(deps, input, chunkPath, predictions);
  return {
    index: input.chunk.index,
    rows,
    part: { uri: stored.uri, sha256: stored.sha256, bytes: stored.bytes },
  };
}

/** Evenly spaced rows of the chunk in the prediction log, so the monitor judges them like traffic. */
async function logSample(
  deps: ActivityDependencies,
  input: ScoreChunkInput,
  chunkPath: string,
  predictions: ChunkPredictions,
): Promise<void> {
  const count = Math.min(input.monitorRows, input.chunk.rows);
  const step = input.chunk.rows / count;
  const positions = Array.from({ length: count }, (_, index) => Math.floor(index * step));
  const rows = await parquetRowsAt(chunkPath, positions);
  const createdAt = new Date();
  await insertPredictionLogs(
    deps.db,
    rows.map((row, index) => {
      const position = positions[index];
      const inputs = Object.fromEntries(
        input.model.features.map((feature) => [feature, row[feature] ?? null]),
      );
      const rowNumber = input.chunk.firstRow + position;
      const answer =
        predictions.task === 'regression'
          ? { output: predictions.values[position], probabilities: null }
          : {
              output: predictions.classes[predictions.classIndex[position]],
              probabilities: Object.fromEntries(
                predictions.classes.map((label, classIndex) => [
                  label,
                  predictions.probabilities[position * predictions.classes.length + classIndex],
                ]),
              ),
            };
      return {
        predictionId: `${input.predictionIdPrefix}${rowNumber.toString(16).padStart(12, '0')}`,
        modelVersionId: input.model.modelVersionId,
        deploymentId: null,
        inputs,
        ...answer,
        latencyMs: 0,
        requestKey: `batch:${input.predictionIdPrefix}`,
        createdAt,
      };
    }),
  );
}
