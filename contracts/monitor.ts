import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DriftThresholds, DriftWindowOutput } from './loop-stages.js';
import type { TaskQueues } from './task-queues.js';
import type { CanaryPolicy } from './lifecycle.js';

/** The monitor of one deployed model (id `monitor/<model>`): its policy, state and messages. */
export interface MonitorPolicy {
  /** How often a window is judged, in seconds (days in production, seconds in tests). */
  readonly intervalSeconds: number;
  /** Windows with fewer logged predictions are not judged (drift statistics need rows). */
  readonly minRows: number;
  /** Drift persisting this many consecutive windows starts a retraining run. */
  readonly driftWindows: number;
  /** The live primary metric this far below the model's test value starts a retraining run. */
  readonly metricDrop: number;
  /** Live metrics count once a window has this many labeled predictions. */
  readonly minLabels: number;
  /** After a retraining run, no other starts for this long. */
  readonly cooldownSeconds: number;
  /** Retrain on production rows unioned with the original training rows. */
  readonly includeTrainingData: boolean;
  readonly thresholds: DriftThresholds;
  /** Passed to the lifecycle workflow for the retrained challenger's canary. */
  readonly canary?: Partial<CanaryPolicy>;
}

export const defaultMonitorPolicy: MonitorPolicy = {
  intervalSeconds: 3600,
  minRows: 500,
  driftWindows: 2,
  metricDrop: 0.05,
  minLabels: 200,
  cooldownSeconds: 6 * 3600,
  includeTrainingData: true,
  thresholds: {
    psiModerate: 0.1,
    psiSignificant: 0.25,
    jensenShannon: 0.1,
    wasserstein: 0.1,
    datasetDriftShare: 0.5,
  },
};

/** One judged window, as the monitor keeps it: the drift-window activity's findings and what followed. */
export interface WindowSummary extends Pick<
  DriftWindowOutput,
  'rows' | 'drifted' | 'driftedFeatures' | 'maxPsi' | 'labeled'
> {
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly liveMetric: Omit<NonNullable<DriftWindowOutput['liveMetric']>, 'lowerIsBetter'> | null;
  readonly servedVersion: number | null;
  readonly action: string | null;
}

export interface RetrainRecord {
  readonly workflowId: string;
  readonly reason: string;
  readonly startedAt: number;
  readonly finishedAt: number | null;
  readonly status: string;
  readonly version: number | null;
}

export interface MonitorState {
  readonly paused: boolean;
  readonly lastWindowEnd: number | null;
  readonly consecutiveDrifted: number;
  /** When the current drift episode's first drifted window began. */
  readonly episodeStart: number | null;
  readonly cooldownUntil: number;
  readonly windows: readonly WindowSummary[];
  readonly retrains: readonly RetrainRecord[];
}

export interface MonitorInput {
  readonly modelName: string;
  readonly taskQueues: TaskQueues;
  readonly policy?: Partial<MonitorPolicy>;
  readonly state?: MonitorState;
}

export interface MonitorStatus extends MonitorState {
  readonly modelName: string;
  readonly policy: MonitorPolicy;
  readonly retrainInFlight: string | null;
}

export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
/** Changes the policy (validated before it enters history); answers with the policy in force. */
export const setPolicyUpdate = defineUpdate<MonitorPolicy, [Partial<MonitorPolicy>]>('setPolicy');
export const monitorStatusQuery = defineQuery<MonitorStatus>('status');

export const monitorWorkflowId = (modelName: string) => `monitor/${modelName}`;

/** Refuses a policy that cannot work, saying why. */
export function validatePolicy(policy: MonitorPolicy): void {
  const positive = (name: string, value: number) => {
    if (!(typeof value === 'number' && Number.isFinite(value) && value > 0))
      throw new Error(`${name} must be a positive number, not ${JSON.stringify(value)}`);
  };
  positive('intervalSeconds', policy.intervalSeconds);
  positive('driftWindows', policy.driftWindows);
  positive('minRows', policy.minRows);
  positive('minLabels', policy.minLabels);
  if (!(policy.metricDrop >= 0)) throw new Error('metricDrop must be 0 or more');
  if (!(policy.cooldownSeconds >= 0)) throw new Error('cooldownSeconds must be 0 or more');
  const { psiModerate, psiSignificant, jensenShannon, wasserstein, datasetDriftShare } = policy.thresholds;
  if (!(psiModerate > 0 && psiSignificant > psiModerate))
    throw new Error('thresholds need 0 < psiModerate < psiSignificant');
  if (!(jensenShannon > 0 && jensenShannon <= 1))
    throw new Error('thresholds.jensenShannon must be in (0, 1]');
  if (!(wasserstein > 0)) throw new Error('thresholds.wasserstein must be above 0');
  if (!(datasetDriftShare > 0 && datasetDriftShare <= 1))
    throw new Error('thresholds.datasetDriftShare must be in (0, 1]');
}

/** The monitor workflow, for clients that start it by name (its code lives in workflows/). */
export type MonitorWorkflow = (input: MonitorInput) => Promise<void>;
export const monitorWorkflowType = 'monitorWorkflow';
