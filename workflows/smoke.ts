import { proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { ArtifactRef } from '../contracts/artifacts.js';
import { nonRetryableErrorTypes } from '../contracts/errors.js';
import { stageAttribute } from '../contracts/search-attributes.js';
import type {
  SmokeActivities,
  SmokeFitResult,
  SmokePipelineInput,
  SmokePipelineResult,
  SmokePipelineWorkflow,
} from '../contracts/smoke.js';

/**
 * The smallest pipeline that touches every part of the platform: Postgres (run and stage records,
 * lineage), S3 (a content-addressed dataset), the CPU pool and the GPU pool.
 */
export async function smokePipelineWorkflow(input: SmokePipelineInput): Promise<SmokePipelineResult> {
  const { workflowId, runId } = workflowInfo();
  // Bookkeeping and a tiny dataset: seconds of work; the writes are upserts and content-addressed
  // puts, so retrying them is safe. Bad input is not retried.
  const cpu = proxyActivities<SmokeActivities>({
    taskQueue: input.taskQueues.cpu,
    startToCloseTimeout: '1 minute',
    retry: { maximumAttempts: 5, nonRetryableErrorTypes },
  });
  // Folds only read the dataset and upsert their stage row; they may wait for a free device.
  const fit = proxyActivities<SmokeActivities>({
    taskQueue: input.useGpu ? input.taskQueues.gpu : input.taskQueues.cpu,
    startToCloseTimeout: '2 minutes',
    retry: { maximumAttempts: 3, nonRetryableErrorTypes },
  });

  const { pipelineRunId } = await cpu.startRun({
    workflowId,
    runId,
    pipelineName: 'smoke',
    kind: 'smoke',
    spec: { ...input },
  });
  try {
    upsertSearchAttributes([{ key: stageAttribute, value: 'prepare' }]);
    const prepared = await cpu.smokePrepareData({ pipelineRunId, rows: input.rows, seed: input.seed });
    const dataset: ArtifactRef = { uri: prepared.uri, sha256: prepared.sha256, bytes: prepared.bytes };
    upsertSearchAttributes([{ key: stageAttribute, value: 'fit' }]);
    const folds = await Promise.all(
      Array.from({ length: input.folds }, (_, fold) =>
        fit.smokeFitFold({
          pipelineRunId,
          dataset,
          fold,
          folds: input.folds,
          minDurationMs: input.minFoldDurationMs ?? 0,
        }),
      ),
    );
    await cpu.finishRun({ workflowId, runId, status: 'succeeded' });
    const mean = (pick: (fold: SmokeFitResult) => number) =>
      folds.reduce((sum, fold) => sum + pick(fold), 0) / folds.length;
    return {
      pipelineRunId,
      dataset,
      prepareWorker: prepared.workerIdentity,
      folds,
      slope: mean((fold) => fold.slope),
      intercept: mean((fold) => fold.intercept),
    };
  } catch (error) {
    const failure = error as { cause?: { type?: string; message?: string }; message?: string };
    await cpu.finishRun({
      workflowId,
      runId,
      status: 'failed',
      error: {
        type: failure.cause?.type ?? 'Error',
        message: failure.cause?.message ?? String(failure.message),
      },
    });
    throw error;
  }
}

smokePipelineWorkflow satisfies SmokePipelineWorkflow;
