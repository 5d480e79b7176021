import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import {
  batchProgressQuery,
  batchScoringWorkflowId,
  batchScoringWorkflowType,
  type BatchProgress,
  type BatchScoringInput,
  type BatchScoringWorkflow,
} from '../contracts/batch-scoring.js';
import { modelAttribute } from '../contracts/search-attributes.js';

export interface BatchScoringRun {
  readonly workflowId: string;
  readonly handle: WorkflowHandle<BatchScoringWorkflow>;
  progress(): Promise<BatchProgress>;
}

/** A key for a batch's workflow id and default output folder: sortable by time, unique. */
export function batchKey(): string {
  return `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`;
}

/** Starts a batch scoring workflow (contracts/batch-scoring.ts) on the CPU pool's queue. */
export async function startBatchScoring(
  client: Client,
  input: BatchScoringInput,
  key = batchKey(),
): Promise<BatchScoringRun> {
  const workflowId = batchScoringWorkflowId(input.modelName, key);
  const handle = await client.workflow.start<BatchScoringWorkflow>(batchScoringWorkflowType, {
    workflowId,
    taskQueue: input.taskQueues.cpu,
    args: [input],
    typedSearchAttributes: [{ key: modelAttribute, value: input.modelName }],
    staticSummary: `score ${input.inputUri} with ${input.modelName}@${input.version}`,
    staticDetails: `output ${input.outputUri}; ${input.chunkRows} rows a chunk, ${input.parallelism} at a time`,
  });
  return { workflowId, handle, progress: () => handle.query(batchProgressQuery) };
}
