import { defineQuery } from '@temporalio/workflow';
import type { ArtifactRef } from './artifacts.js';
import type { TaskQueues } from './task-queues.js';
import type { PipelineSpec } from '../spec/types.js';

/** The training pipeline's stages, in order (DESIGN.md). */
export const pipelineStages = [
  'ingest',
  'validate',
  'deidentify',
  'split',
  'tune',
  'train',
  'evaluate',
  'gate',
  'register',
  'report',
] as const;
export type StageName = (typeof pipelineStages)[number];

export type StageStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

export interface StageProgress {
  readonly stage: StageName;
  readonly status: StageStatus;
  readonly cacheHit: boolean;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  /** One line for people: "342 rows", "waiting for a worker on mlops-gpu", "trial 3 of 6". */
  readonly detail?: string;
}

export type RunStatus = 'running' | 'succeeded' | 'rejected' | 'failed' | 'cancelled';

/** What the `progress` query answers; `mlops run --wait` draws its progress from it. */
export interface PipelineProgress {
  readonly pipeline: string;
  readonly status: RunStatus;
  readonly currentStage: StageName | null;
  readonly stages: readonly StageProgress[];
  /** Set while the run cannot proceed for a reason outside it (no worker on a queue). */
  readonly waitingFor: string | null;
  readonly model: { readonly name: string; readonly version: number } | null;
}

export interface DatasetVersionRef extends ArtifactRef {
  readonly datasetVersionId: number;
  readonly name: string;
  readonly rows: number;
}

/** Metric (or fairness) values by name; null where a metric cannot be computed (AUC on one class). */
export type MetricValues = Readonly<Record<string, number | null>>;

/** One bound of one gate: `value` must be >= `threshold` (bound min) or <= it (bound max). */
export interface GateOutcome {
  readonly name: string;
  readonly passed: boolean;
  readonly value: number | null;
  readonly threshold: number | null;
  readonly bound: 'min' | 'max';
  /** For people: "champion v3", "no champion yet". */
  readonly note?: string;
}

/**
 * What became of `deploy.promote`: the version is the champion now, or the reason it is not (not
 * asked, a gate failed, the lifecycle workflow refused: a canary is running).
 */
export interface PromotionOutcome {
  readonly promoted: boolean;
  readonly reason: string;
}

/** The result of a pipeline run, as `mlops run --json` prints it (DESIGN.md, CLI contract). */
export interface PipelineResult {
  readonly workflowId: string;
  readonly runId: string;
  /** A cancelled run comes back as `failed` with error type `Cancelled` (DESIGN.md's three outcomes). */
  readonly status: Exclude<RunStatus, 'running' | 'cancelled'>;
  readonly model: { readonly name: string; readonly version: number } | null;
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly fairness: Readonly<Record<string, number | null>>;
  readonly gates: readonly GateOutcome[];
  readonly promoted: boolean;
  /** Why the version is or is not the champion; absent in results of runs from before it existed. */
  readonly promotion?: PromotionOutcome;
  readonly reportUri: string | null;
  readonly cacheHits: readonly StageName[];
  readonly error: { readonly type: string; readonly message: string } | null;
}

export const pipelineWorkflowId = (pipelineName: string, runKey: string) =>
  `pipeline/${pipelineName}/${runKey}`;

export interface TrainingPipelineInput {
  readonly spec: PipelineSpec;
  readonly taskQueues: TaskQueues;
  readonly noCache: boolean;
  readonly trigger: string;
}

/** The training pipeline workflow, for clients that start it by name (its code lives in workflows/). */
export type TrainingPipelineWorkflow = (input: TrainingPipelineInput) => Promise<PipelineResult>;
export const trainingPipelineWorkflowType = 'trainingPipelineWorkflow';

/** Live progress of a running pipeline; `mlops run --wait` draws it. */
export const progressQuery = defineQuery<PipelineProgress>('progress');
