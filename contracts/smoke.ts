import type { ArtifactRef } from './artifacts.js';
import type { RunActivities } from './runs.js';
import type { TaskQueues } from './task-queues.js';

/**
 * The smoke pipeline's contract: small stages through every real component. `prepare` writes a
 * seeded dataset to S3 (content-addressed) and records it with lineage; each `fit` fold reads it
 * back, checks its sha256 and fits a line by least squares on the pool it was routed to.
 */

export interface SmokePrepareInput {
  readonly pipelineRunId: number;
  readonly rows: number;
  readonly seed: number;
}

export interface SmokeFitInput {
  readonly pipelineRunId: number;
  readonly dataset: ArtifactRef;
  readonly fold: number;
  readonly folds: number;
  /** Keeps a fold on its device at least this long, so pool scheduling can be observed. */
  readonly minDurationMs: number;
}

export interface SmokeFitResult {
  readonly fold: number;
  readonly slope: number;
  readonly intercept: number;
  readonly rows: number;
  readonly workerIdentity: string;
  readonly gpuDevice: number | null;
  readonly startedAt: number;
  readonly finishedAt: number;
}

export interface SmokePipelineInput {
  readonly taskQueues: TaskQueues;
  /** Route the fit folds to the GPU pool (false when no GPU pool runs). */
  readonly useGpu: boolean;
  readonly rows: number;
  readonly folds: number;
  readonly seed: number;
  readonly minFoldDurationMs?: number;
}

export interface SmokePipelineResult {
  readonly pipelineRunId: number;
  readonly dataset: ArtifactRef;
  readonly prepareWorker: string;
  readonly folds: SmokeFitResult[];
  readonly slope: number;
  readonly intercept: number;
}

export const smokeWorkflowId = (runKey: string) => `smoke/${runKey}`;

export interface SmokeActivities extends RunActivities {
  smokePrepareData(input: SmokePrepareInput): Promise<ArtifactRef & { workerIdentity: string }>;
  smokeFitFold(input: SmokeFitInput): Promise<SmokeFitResult>;
}

export type SmokePipelineWorkflow = (input: SmokePipelineInput) => Promise<SmokePipelineResult>;
export const smokePipelineWorkflowType = 'smokePipelineWorkflow';
