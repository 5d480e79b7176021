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
import type { LoopActivities } from '../activities/loop/index.js';
import { nonRetryableErrorTypes } from '../contracts/errors.js';
import { pipelineWorkflowId } from '../contracts/pipeline.js';
import type { PipelineSpec } from '../spec/types.js';
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
  type RetrainRecord,
  type WindowSummary,
} from './monitor-messages.js';
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
    const judged = result.rows >= policy.minRows;
    const drifted = judged && result.drifted;
    const consecutiveDrifted = judged
      ? drifted
        ? state.consecutiveDrifted + 1
        : 0
      : state.consecutiveDrifted;
    const episodeStart = drifted ? (state.episodeStart ?? windowStart) : judged ? null : state.episodeStart;
    const live = result.liveMetric;
    const metricDropped =
      live !== null &&
      result.labeled >= policy.minLabels &&
      live.value !== null &&
      live.testValue !== null &&
      (live.lowerIsBetter ? live.value - live.testValue : live.testValue - live.value) > policy.metricDrop;
    const reason =
      consecutiveDrifted >= policy.driftWindows
        ? `drift in ${consecutiveDrifted} consecutive windows (${result.driftedFeatures.join(', ')})`
        : metricDropped
          ? `live ${live?.name} ${round(live?.value)} is more than ${policy.metricDrop} below the test value ${round(live?.testValue)}`
          : null;
    const coolingDown = windowEnd < state.cooldownUntil || retraining !== null;
    const summary: WindowSummary = {
      windowStart,
      windowEnd,
      rows: result.rows,
      drifted,
      driftedFeatures: result.driftedFeatures,
      maxPsi: result.maxPsi,
      labeled: result.labeled,
      liveMetric: live ? { name: live.name, value: live.value, testValue: live.testValue } : null,
      servedVersion: result.modelVersion,
      action: !judged
        ? `not judged: ${result.rows} rows (< ${policy.minRows})`
        : reason && coolingDown
          ? `${retraining ? 'retraining already' : 'cooldown'}: ${reason}`
          : reason
            ? `retrain: ${reason}`
            : null,
    };
    state = {
      ...state,
      lastWindowEnd: windowEnd,
      consecutiveDrifted,
      episodeStart,
      windows: [...state.windows, summary].slice(-KEPT_WINDOWS),
    };
    if (reason && !coolingDown) {
      // Windows go on being judged while the retraining runs; its end starts the cooldown.
      state = { ...state, consecutiveDrifted: 0, episodeStart: null };
      retraining = retrain(reason, episodeStart ?? windowStart, windowEnd).finally(() => {
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
            spec: production.spec as unknown as PipelineSpec,
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

function merge(policy: MonitorPolicy, change: Partial<MonitorPolicy>): MonitorPolicy {
  return { ...policy, ...change, thresholds: { ...policy.thresholds, ...change.thresholds } };
}

function round(value: number | null | undefined): string {
  return value === null || value === undefined ? 'n/a' : String(Math.round(value * 10_000) / 10_000);
}
