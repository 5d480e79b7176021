import { randomUUID } from 'node:crypto';
import { CancelledFailure, WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import {
  pipelineWorkflowId,
  progressQuery,
  trainingPipelineWorkflowType,
  type PipelineProgress,
  type PipelineResult,
  type TrainingPipelineWorkflow,
} from '../contracts/pipeline.js';
import { modelAttribute, pipelineAttribute } from '../contracts/search-attributes.js';
import { defaultTaskQueues, type TaskQueues } from '../contracts/task-queues.js';
import type { PipelineSpec } from '../spec/types.js';

export interface StartPipelineOptions {
  readonly taskQueues?: TaskQueues;
  /** Run every stage even when an identical earlier run could be reused. */
  readonly noCache?: boolean;
  /** Who asked: `cli`, `schedule`, `script`, `monitor`. */
  readonly trigger?: string;
  /** Makes the workflow id (`pipeline/<name>/<runKey>`); the same key never starts a second run. */
  readonly runKey?: string;
}

export interface PipelineRun {
  readonly workflowId: string;
  readonly runId: string;
  readonly handle: WorkflowHandle<TrainingPipelineWorkflow>;
  /** Waits for the end: succeeded and rejected come back as results, a failure or cancellation as status `failed`. */
  result(): Promise<PipelineResult>;
  progress(): Promise<PipelineProgress>;
}

/** Starts the training pipeline for a validated spec (see spec/parse.ts). */
export async function startPipeline(
  client: Client,
  spec: PipelineSpec,
  options: StartPipelineOptions = {},
): Promise<PipelineRun> {
  const taskQueues = options.taskQueues ?? defaultTaskQueues;
  const workflowId = pipelineWorkflowId(
    spec.name,
    options.runKey ?? `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`,
  );
  const handle = await client.workflow.start<TrainingPipelineWorkflow>(trainingPipelineWorkflowType, {
    workflowId,
    taskQueue: taskQueues.cpu,
    args: [{ spec, taskQueues, noCache: options.noCache ?? false, trigger: options.trigger ?? 'script' }],
    typedSearchAttributes: [
      { key: pipelineAttribute, value: spec.name },
      { key: modelAttribute, value: spec.name },
    ],
    staticSummary: `train ${spec.name}: ${spec.train.trainer} on ${spec.dataset.uri}`,
    staticDetails: `target ${spec.target}; gates: ${spec.evaluation.gates.length}; promote: ${spec.deploy.promote}`,
  });
  return attach(handle, handle.firstExecutionRunId);
}

/** A handle on a pipeline run started earlier (by id). */
export function getPipelineRun(client: Client, workflowId: string, runId?: string): PipelineRun {
  return attach(client.workflow.getHandle<TrainingPipelineWorkflow>(workflowId, runId), runId ?? '');
}

function attach(handle: WorkflowHandle<TrainingPipelineWorkflow>, runId: string): PipelineRun {
  return {
    workflowId: handle.workflowId,
    runId,
    handle,
    progress: () => handle.query(progressQuery),
    result: async () => {
      try {
        return await handle.result();
      } catch (error) {
        if (!(error instanceof WorkflowFailedError)) throw error;
        const cause =
          error.cause instanceof CancelledFailure
            ? { type: 'Cancelled', message: 'the run was cancelled before it finished' }
            : (error.cause as { type?: string; message?: string } | undefined);
        return {
          workflowId: handle.workflowId,
          runId,
          status: 'failed',
          model: null,
          metrics: {},
          fairness: {},
          gates: [],
          promoted: false,
          reportUri: null,
          cacheHits: [],
          error: { type: cause?.type ?? 'Error', message: cause?.message ?? error.message },
        };
      }
    },
  };
}
