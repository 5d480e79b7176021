import {
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  isCancellation,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { LoopActivities } from '../contracts/loop-stages.js';
import { nonRetryableErrorTypes } from '../contracts/errors.js';
import { pipelineWorkflowId } from '../contracts/pipeline.js';
import {
  defaultMonitorPolicy,
  monitorStatusQuery,
  pauseSignal,
  resumeSignal,
  setPolicyUpdate,
  validatePolicy,
  type MonitorInput,
  type MonitorPolicy,
  type MonitorState,
  type MonitorWorkflow,
  type RetrainRecord,
} from '../contracts/monitor.js';
import { judgeWindow } from './monitor-verdict.js';
import { trainingPipelineWorkflow } from './training.js';
import { describeFailure } from './failures.js';

const KEPT_WINDOWS = 100;

/**
 * Watches one deployed model: every interval it judges the window of logged predictions against
 * the model's reference profile and live labels; drift that persists, or a live metric that drops
 * below the model's test value, starts one retraining run on production data (then a cooldown),
 * whose version is handed to the model's lifecycle workflow as a challenger.
 */
export async function monitorWorkflow(input: MonitorInput): Promise<void> {
  // Window statistics read the database and S3 and stream up to millions of rows: minutes at most,
  // heartbeating; they only write a drift report keyed by its window, so retries are safe.
  const activities = proxyActivities<LoopActivities>({
    taskQueue: input.taskQueues.cpu,
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: '2 minutes',
    retry: { maximumAttempts: 5, initialInterval: '5 seconds', nonRetryableErrorTypes },
  });
  let policy = merge(defaultMonitorPolicy, input.policy ?? {});
  let state: MonitorState = input.state ?? {
    paused: false,
    lastWindowEnd: null,
    consecutiveDrifted: 0,
    episodeStart: null,
    cooldownUntil: 0,
    windows: [],
    retrains: [],
  };
  let retrainInFlight: string | null = null;
  let retraining: Promise<void> | null = null;

  setHandler(pauseSignal, () => void (state = { ...state, paused: true }));
  setHandler(resumeSignal, () => void (state = { ...state, paused: false }));
  setHandler(monitorStatusQuery, () => ({ ...state, modelName: input.modelName, policy, retrainInFlight }));
  setHandler(
    setPolicyUpdate,
    (change) => {
      policy = merge(policy, change);
      return policy;
    },
    { validator: (change) => validatePolicy(merge(policy, change)) },
  );

  for (;;) {
    await sleep(policy.intervalSeconds * 1000);
    if (state.paused) {
      await condition(() => !state.paused);
      // A paused stretch is not a window: judging restarts from now.
      state = { ...state, lastWindowEnd: Date.now() };
      continue;
    }
    const windowEnd = Date.now();
    const windowStart = state.lastWindowEnd ?? windowEnd - policy.intervalSeconds * 1000;
    const result = await activities.computeDriftWindow({
      modelName: input.modelName,
      windowStart,
      windowEnd,
      thresholds: policy.thresholds,
    });
    const verdict = judgeWindow(
      { start: windowStart, end: windowEnd, result },
      state,
      policy,
      retraining !== null,
    );
    const { consecutiveDrifted, episodeStart } = verdict;
    state = {
      ...state,
      lastWindowEnd: windowEnd,
      consecutiveDrifted,
      episodeStart,
      windows: [...state.windows, verdict.summary].slice(-KEPT_WINDOWS),
    };
    if (verdict.startRetraining && verdict.retrainReason) {
      // Windows go on being judged while the retraining runs; its end starts the cooldown.
      state = { ...state, consecutiveDrifted: 0, episodeStart: null };
      retraining = retrain(verdict.retrainReason, episodeStart ?? windowStart, windowEnd).finally(() => {
        retraining = null;
        state = { ...state, cooldownUntil: Date.now() + policy.cooldownSeconds * 1000 };
      });
    }
    if (workflowInfo().continueAsNewSuggested && retraining === null) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof monitorWorkflow>({ ...input, policy, state });
    }
  }

  /** One retraining run on the episode's production data; its version goes to the lifecycle as a challenger. */
  async function retrain(reason: string, from: number, to: number): Promise<void> {
    const workflowId = pipelineWorkflowId(
      input.modelName,
      `retrain-${new Date(to).toISOString().replace(/[:.]/g, '-')}`,
    );
    retrainInFlight = workflowId;
    let record: RetrainRecord = {
      workflowId,
      reason,
      startedAt: Date.now(),
      finishedAt: null,
      status: 'running',
      version: null,
    };
    state = { ...state, retrains: [...state.retrains, record] };
    try {
      const production = await activities.snapshotProductionData({
        modelName: input.modelName,
        windowStart: from,
        windowEnd: to,
        includeTrainingData: policy.includeTrainingData,
      });
      const result = await executeChild(trainingPipelineWorkflow, {
        workflowId,
        args: [
          {
            spec: production.spec,
            taskQueues: input.taskQueues,
            noCache: false,
            trigger: 'monitor',
          },
        ],
        // A retraining run outlives a monitor that continues as new or is stopped.
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      record = { ...record, status: result.status, version: result.model?.version ?? null };
      if (result.status === 'succeeded' && result.model) {
        await activities.proposeChallenger({
          modelName: input.modelName,
          version: result.model.version,
          actor: `monitor ${workflowInfo().workflowId}`,
          reason: `retrained after ${reason}`,
          canary: policy.canary,
          taskQueue: input.taskQueues.cpu,
        });
      }
    } catch (error) {
      const status = isCancellation(error) ? 'cancelled' : `failed: ${describeFailure(error).message}`;
      record = { ...record, status };
    } finally {
      retrainInFlight = null;
      record = { ...record, finishedAt: Date.now() };
      state = {
        ...state,
        retrains: state.retrains.map((entry) => (entry.workflowId === workflowId ? record : entry)),
      };
    }
  }
}

monitorWorkflow satisfies MonitorWorkflow;

function merge(policy: MonitorPolicy, change: Partial<MonitorPolicy>): MonitorPolicy {
  return { ...policy, ...change, thresholds: { ...policy.thresholds, ...change.thresholds } };
}
