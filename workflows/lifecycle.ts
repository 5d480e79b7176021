import {
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { nonRetryableErrorTypes } from '../contracts/errors.js';
import {
  approveUpdate,
  challengerUpdate,
  lifecycleStatusQuery,
  promoteUpdate,
  rollbackUpdate,
  type LifecycleInput,
  type ModelLifecycleWorkflow,
} from '../contracts/lifecycle.js';
import type { LifecycleActivities, LoopActivities } from '../contracts/loop-stages.js';
import { ModelLifecycle } from './model-lifecycle.js';

/**
 * One long-lived workflow per model (id `lifecycle/<model>`) through which every change to what is
 * served goes, as validated updates: promote (from people and from pipelines), rollback, a
 * challenger's canary, approvals. The state and its operations live in ModelLifecycle; this
 * function wires the handlers and runs queued challengers until history asks for continue-as-new.
 */
export async function modelLifecycleWorkflow(input: LifecycleInput): Promise<void> {
  const lifecycle = new ModelLifecycle(input, lifecycleActivities(input));

  setHandler(lifecycleStatusQuery, () => lifecycle.status());
  setHandler(promoteUpdate, (request) => lifecycle.promote(request), {
    validator: (request) => lifecycle.checkPromote(request),
  });
  setHandler(rollbackUpdate, (request) => lifecycle.rollback(request), {
    validator: (request) => lifecycle.checkRollback(request),
  });
  setHandler(challengerUpdate, (request) => Promise.resolve(lifecycle.acceptChallenger(request)), {
    validator: (request) => lifecycle.checkChallenger(request),
  });
  setHandler(approveUpdate, (request) => Promise.resolve(lifecycle.approve(request)), {
    validator: (request) => lifecycle.checkApproval(request),
  });

  await lifecycle.loadChampion();
  for (;;) {
    await condition(() => lifecycle.hasPendingChallenger() || workflowInfo().continueAsNewSuggested);
    await lifecycle.runNextChallenger();
    if (workflowInfo().continueAsNewSuggested && !lifecycle.hasPendingChallenger()) {
      await condition(allHandlersFinished);
      await continueAsNew<ModelLifecycleWorkflow>({ ...input, state: lifecycle.carryOver() });
    }
  }
}

modelLifecycleWorkflow satisfies ModelLifecycleWorkflow;

/** Runs started before the serving changes became local activities replay with task-queue ones. */
export const LIFECYCLE_LOCAL_ACTIVITIES = 'lifecycle-local-activities';

/**
 * Serving changes are small idempotent database writes (alias, split, audit event keyed by the
 * workflow and a sequence): retried freely; an unknown version is bad input, not retried. They run
 * as local activities, in this workflow's worker and outside its activity slots: a pipeline's
 * promoteStage holds a slot while it waits on this workflow's update, and with as many promotions
 * at once as there are slots, task-queue activities here would never start (found by the load suite).
 * The canary's evidence reads labeled traffic and stays on the task queue.
 */
function lifecycleActivities(input: LifecycleInput): LifecycleActivities {
  const queued = proxyActivities<LoopActivities>({
    taskQueue: input.taskQueues.cpu,
    startToCloseTimeout: '2 minutes',
    retry: { maximumAttempts: 10, initialInterval: '1 second', nonRetryableErrorTypes },
  });
  const writes = patched(LIFECYCLE_LOCAL_ACTIVITIES)
    ? proxyLocalActivities<LoopActivities>({
        startToCloseTimeout: '1 minute',
        retry: { maximumAttempts: 10, initialInterval: '1 second', nonRetryableErrorTypes },
      })
    : queued;
  return {
    currentServing: writes.currentServing,
    resolveModelVersion: writes.resolveModelVersion,
    setServingTraffic: writes.setServingTraffic,
    recordLifecycleEvent: writes.recordLifecycleEvent,
    compareOnLabeledTraffic: queued.compareOnLabeledTraffic,
    canaryEvidence: queued.canaryEvidence,
  };
}
