import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { modelAttribute } from './search-attributes.js';
import type { TaskQueues } from './task-queues.js';

/**
 * The messages of the model-lifecycle workflow (one per model, id `lifecycle/<model>`): everything
 * that changes what is served goes through it, so two promotions never race. Clients and the
 * monitor import these definitions.
 */

export interface CanaryPolicy {
  /** Share of requests (0..1, exclusive) the challenger serves during the canary. */
  readonly share: number;
  /** Longest the canary bakes before deciding on what it has. */
  readonly bakeSeconds: number;
  /** Labeled predictions each version needs before live metrics count. */
  readonly minLabels: number;
  /** How much better than the champion the challenger must be (in the primary metric's units). */
  readonly minImprovement: number;
  /** How often the bake checks the labels that arrived. */
  readonly checkIntervalSeconds: number;
  /** Labeled traffic of this recent stretch judges a challenger before any canary. */
  readonly comparisonWindowSeconds: number;
  /** Ask a person before acting; without an answer in time, take `defaultAction`. */
  readonly approval?: { readonly timeoutSeconds: number; readonly defaultAction: 'promote' | 'rollback' };
}

export const defaultCanaryPolicy: CanaryPolicy = {
  share: 0.1,
  bakeSeconds: 24 * 3600,
  minLabels: 200,
  minImprovement: 0,
  checkIntervalSeconds: 300,
  comparisonWindowSeconds: 7 * 24 * 3600,
};

export interface LifecycleInput {
  readonly modelName: string;
  readonly taskQueues: TaskQueues;
  readonly canary?: Partial<CanaryPolicy>;
  /** Carried over by continue-as-new. */
  readonly state?: LifecycleState;
}

export interface Transition {
  readonly at: number;
  readonly action: string;
  readonly actor: string;
  readonly reason: string;
  readonly fromVersion: number | null;
  readonly toVersion: number | null;
}

export interface CanaryState {
  readonly challengerVersion: number;
  readonly share: number;
  readonly startedAt: number;
  readonly deadline: number;
  readonly evidence: LiveEvidence | null;
}

export interface LiveEvidence {
  readonly metric: string;
  readonly champion: { readonly labeled: number; readonly value: number | null };
  readonly challenger: { readonly labeled: number; readonly value: number | null };
}

export interface LifecycleState {
  readonly champion: number | null;
  readonly championHistory: readonly number[];
  readonly transitions: readonly Transition[];
  readonly sequence: number;
}

export interface LifecycleStatus {
  readonly modelName: string;
  readonly champion: number | null;
  readonly canary: CanaryState | null;
  readonly awaitingApproval: {
    readonly recommended: 'promote' | 'rollback';
    readonly deadline: number;
    readonly why: string;
  } | null;
  readonly transitions: readonly Transition[];
}

export interface PromoteRequest {
  readonly version: number;
  readonly actor: string;
  readonly reason?: string;
}

export interface RollbackRequest {
  readonly actor: string;
  readonly reason?: string;
}

export interface ChallengerRequest {
  readonly version: number;
  readonly actor: string;
  readonly reason?: string;
  readonly canary?: Partial<CanaryPolicy>;
}

export interface ApprovalRequest {
  readonly decision: 'promote' | 'rollback';
  readonly actor: string;
  readonly reason?: string;
}

export interface TransitionResult {
  readonly champion: number | null;
  readonly transition: Transition;
}

export const promoteUpdate = defineUpdate<TransitionResult, [PromoteRequest]>('promote');
export const rollbackUpdate = defineUpdate<TransitionResult, [RollbackRequest]>('rollback');
/** Accepts a challenger: judged on recent labeled traffic, then a canary, then promoted or rolled back. */
export const challengerUpdate = defineUpdate<{ accepted: true; challenger: number }, [ChallengerRequest]>(
  'challenger',
);
export const approveUpdate = defineUpdate<{ accepted: true }, [ApprovalRequest]>('approve');
export const lifecycleStatusQuery = defineQuery<LifecycleStatus>('status');

export const lifecycleWorkflowId = (modelName: string) => `lifecycle/${modelName}`;

/** The lifecycle workflow, for clients and activities that start it by name (its code lives in workflows/). */
export type ModelLifecycleWorkflow = (input: LifecycleInput) => Promise<void>;
export const modelLifecycleWorkflowType = 'modelLifecycleWorkflow';

/**
 * How the model's lifecycle workflow is started, by whoever sends it the first update (the CLI
 * client, the pipeline's promotion, the monitor's challenger): one workflow per model, found when
 * it runs, findable in the UI by model.
 */
export function lifecycleStart(modelName: string, taskQueues: TaskQueues) {
  const args: [LifecycleInput] = [{ modelName, taskQueues }];
  return {
    workflowId: lifecycleWorkflowId(modelName),
    taskQueue: taskQueues.cpu,
    workflowIdConflictPolicy: 'USE_EXISTING' as const,
    args,
    typedSearchAttributes: [{ key: modelAttribute, value: modelName }],
    staticSummary: `lifecycle of ${modelName}: promotions, canaries, rollbacks`,
  };
}
