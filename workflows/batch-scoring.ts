import {
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import {
  batchProgressQuery,
  type BatchProgress,
  type BatchScoringActivities,
  type BatchScoringInput,
  type BatchScoringResult,
  type ScoredChunk,
} from '../contracts/batch-scoring.js';
import { nonRetryableErrorTypes } from '../contracts/errors.js';
import { describeFailure } from './failures.js';
import type { RunActivities } from '../contracts/runs.js';
import { modelAttribute, stageAttribute, triggerAttribute } from '../contracts/search-attributes.js';

/**
 * Batch scoring: the version resolved once (so `@champion` means the champion when the batch
 * started), the input cut into de-identified chunks, the chunks scored by any worker of the CPU
 * pool, at most `parallelism` at a time, each an idempotent activity that heartbeats: a worker
 * killed mid-chunk loses that chunk only, which is scored again elsewhere once its heartbeat is
 * missed, while the chunks already scored stay done in the history. Then the manifest and lineage.
 */
export async function batchScoringWorkflow(input: BatchScoringInput): Promise<BatchScoringResult> {
  const { workflowId, runId } = workflowInfo();
  // Run bookkeeping and the manifest: one row or object each, idempotent.
  const bookkeeping = proxyActivities<RunActivities & BatchScoringActivities>({
    taskQueue: input.taskQueues.cpu,
    startToCloseTimeout: '5 minutes',
    retry: { maximumAttempts: 10, initialInterval: '1 second', nonRetryableErrorTypes },
  });
  // Streaming the input through DuckDB and cutting it: minutes on large inputs, heartbeating.
  const data = proxyActivities<BatchScoringActivities>({
    taskQueue: input.taskQueues.cpu,
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: '2 minutes',
    retry: { maximumAttempts: 4, initialInterval: '2 seconds', nonRetryableErrorTypes },
  });
  // A chunk beats every 5 s: 30 s without one means its worker is gone and it is scored elsewhere.
  const scoring = proxyActivities<BatchScoringActivities>({
    taskQueue: input.taskQueues.cpu,
    startToCloseTimeout: '1 hour',
    heartbeatTimeout: '30 seconds',
    retry: { maximumAttempts: 5, initialInterval: '2 seconds', nonRetryableErrorTypes },
  });

  const progress: { -readonly [K in keyof BatchProgress]: BatchProgress[K] } = {
    stage: 'resolve',
    chunks: 0,
    chunksDone: 0,
    rows: 0,
    rowsDone: 0,
  };
  setHandler(batchProgressQuery, () => ({ ...progress }));
  const enter = (stage: BatchProgress['stage'], detail: string) => {
    progress.stage = stage;
    upsertSearchAttributes([{ key: stageAttribute, value: stage }]);
    setCurrentDetails(`**${stage}**: ${detail}`);
  };
  upsertSearchAttributes([
    { key: modelAttribute, value: input.modelName },
    { key: triggerAttribute, value: input.trigger ?? 'script' },
  ]);

  const { pipelineRunId } = await bookkeeping.startRun({
    workflowId,
    runId,
    pipelineName: input.modelName,
    kind: 'batch_scoring',
    spec: input,
    trigger: input.trigger ?? 'script',
  });
  try {
    enter('resolve', `${input.modelName}@${input.version}`);
    const model = await bookkeeping.resolveBatchModel({ modelName: input.modelName, version: input.version });
    enter('prepare', `${input.inputUri} for ${input.modelName} v${model.version}`);
    const plan = await data.prepareBatchInput({
      pipelineRunId,
      modelName: input.modelName,
      model,
      inputUri: input.inputUri,
      format: input.format,
      chunkRows: input.chunkRows,
    });
    progress.chunks = plan.chunks.length;
    progress.rows = plan.rows;
    const outputUri = input.outputUri;
    // A UUID's first 24 characters: each row's id adds its number, so ids are unique per batch.
    const predictionIdPrefix = uuid4().slice(0, 24);
    // The monitor's sample, spread over the chunks by their rows: exactly min(monitorRows, rows) in all.
    const monitorShare = Math.min(1, input.monitorRows / plan.rows);
    const sampleOf = (chunk: { firstRow: number; rows: number }) =>
      Math.floor((chunk.firstRow + chunk.rows) * monitorShare) - Math.floor(chunk.firstRow * monitorShare);

    enter('score', `${plan.rows} rows in ${plan.chunks.length} chunks`);
    const startedAt = Date.now();
    const scored: ScoredChunk[] = [];
    let next = 0;
    const lane = async () => {
      while (next < plan.chunks.length) {
        const chunk = plan.chunks[next];
        next += 1;
        const result = await scoring.scoreBatchChunk({
          pipelineRunId,
          modelName: input.modelName,
          model,
          chunk,
          predictionIdPrefix,
          outputUri,
          monitorRows: sampleOf(chunk),
        });
        scored.push(result);
        progress.chunksDone += 1;
        progress.rowsDone += result.rows;
        setCurrentDetails(
          `**score**: ${progress.chunksDone} of ${progress.chunks} chunks, ${progress.rowsDone} rows`,
        );
      }
    };
    await Promise.all(
      Array.from({ length: Math.max(1, Math.min(input.parallelism, plan.chunks.length)) }, lane),
    );
    const scoringMs = Date.now() - startedAt;

    enter('finish', `manifest at ${outputUri}`);
    const { manifest } = await bookkeeping.finishBatchScoring({
      pipelineRunId,
      modelName: input.modelName,
      model,
      inputUri: input.inputUri,
      plan,
      outputUri,
      parts: scored,
    });
    await bookkeeping.finishRun({ workflowId, runId, status: 'succeeded' });
    enter('done', `${plan.rows} rows scored by ${input.modelName} v${model.version}`);
    const inOrder = [...scored].sort((a, b) => a.index - b.index);
    return {
      workflowId,
      modelName: input.modelName,
      version: model.version,
      inputUri: input.inputUri,
      inputSha256: plan.inputSha256,
      rows: plan.rows,
      manifest,
      outputSha256: manifest.sha256,
      parts: inOrder.map((chunk) => chunk.part),
      monitorRows: plan.chunks.reduce((sum, chunk) => sum + sampleOf(chunk), 0),
      chunkWorkers: inOrder.map((chunk) => chunk.workerIdentity),
      scoringMs,
    };
  } catch (error) {
    await bookkeeping.finishRun({ workflowId, runId, status: 'failed', error: describeFailure(error) });
    throw error;
  }
}
