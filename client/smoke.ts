import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { pipelineAttribute } from '../contracts/search-attributes.js';
import type { TaskQueues } from '../contracts/task-queues.js';
import {
  smokePipelineWorkflowType,
  smokeWorkflowId,
  type SmokePipelineInput,
  type SmokePipelineResult,
  type SmokePipelineWorkflow,
} from '../contracts/smoke.js';

export interface SmokeRun {
  readonly workflowId: string;
  readonly runId: string;
  readonly result: SmokePipelineResult;
}

/** Starts the smoke pipeline and waits for its result. */
export async function runSmokePipeline(
  client: Client,
  options: {
    taskQueues: TaskQueues;
    useGpu: boolean;
    rows?: number;
    folds?: number;
    seed?: number;
    minFoldDurationMs?: number;
    runKey?: string;
  },
): Promise<SmokeRun> {
  const input: SmokePipelineInput = {
    taskQueues: options.taskQueues,
    useGpu: options.useGpu,
    rows: options.rows ?? 1000,
    folds: options.folds ?? 2,
    seed: options.seed ?? 42,
    minFoldDurationMs: options.minFoldDurationMs,
  };
  const handle = await client.workflow.start<SmokePipelineWorkflow>(smokePipelineWorkflowType, {
    workflowId: smokeWorkflowId(options.runKey ?? randomUUID()),
    taskQueue: options.taskQueues.cpu,
    args: [input],
    typedSearchAttributes: [{ key: pipelineAttribute, value: 'smoke' }],
    staticSummary: `smoke pipeline: ${input.rows} rows, ${input.folds} folds on the ${input.useGpu ? 'GPU' : 'CPU'} pool`,
  });
  const result = await handle.result();
  return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId, result };
}
