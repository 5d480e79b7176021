import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { LoopActivities } from '../activities/loop/index.js';
import { errorTypes, nonRetryableErrorTypes } from '../contracts/errors.js';
import { runChallenger } from './challenger.js';
import {
  approveUpdate,
  challengerUpdate,
  defaultCanaryPolicy,
  lifecycleStatusQuery,
  promoteUpdate,
  rollbackUpdate,
  type ApprovalRequest,
  type CanaryPolicy,
  type ChallengerRequest,
  type LifecycleInput,
  type LifecycleStatus,
  type Transition,
  type TransitionResult,
} from './lifecycle-messages.js';

const KEPT_TRANSITIONS = 50;

/** The serialized state changes of one model: promote, rollback, challenger canaries, approvals. */
export class Lifecycle {
  champion: number | null = null;
  championHistory: number[];
  transitions: Transition[];
  sequence: number;
  canary: LifecycleStatus['canary'] = null;
  awaitingApproval: LifecycleStatus['awaitingApproval'] = null;
  approval: ApprovalRequest | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private championLoaded: boolean;

  constructor(
    readonly input: LifecycleInput,
    readonly activities: LoopActivities,
  ) {
    this.championHistory = [...(input.state?.championHistory ?? [])];
    this.transitions = [...(input.state?.transitions ?? [])];
    this.sequence = input.state?.sequence ?? 0;
    this.champion = input.state?.champion ?? null;
    this.championLoaded = input.state !== undefined;
  }

  /**
   * One change at a time, in arrival order: the next waits for the previous to finish. The first
   * reads what is served now (an update can arrive with the start, before anything was read).
   */
  serialize<T>(change: () => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      if (!this.championLoaded) {
        this.champion = (await this.activities.currentServing({ modelName: this.input.modelName })).champion;
        this.championLoaded = true;
      }
      return change();
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Points serving at `champion` (and a challenger share), audited; remembers the previous champion. */
  async apply(change: {
    champion: number;
    challenger: number | null;
    share: number;
    action: string;
    actor: string;
    reason: string;
  }): Promise<Transition> {
    this.sequence += 1;
    const { modelName } = this.input;
    await this.activities.setServingTraffic({
      modelName,
      champion: change.champion,
      challenger: change.challenger,
      share: change.share,
      transition: {
        eventKey: `${workflowInfo().workflowId}:${this.sequence}`,
        action: change.action,
        actor: change.actor,
        reason: change.reason,
      },
    });
    const transition: Transition = {
      at: Date.now(),
      action: change.action,
      actor: change.actor,
      reason: change.reason,
      fromVersion: this.champion,
      toVersion: change.champion,
    };
    if (this.champion !== null && this.champion !== change.champion) this.championHistory.push(this.champion);
    this.champion = change.champion;
    this.transitions = [...this.transitions, transition].slice(-KEPT_TRANSITIONS);
    return transition;
  }

  status(): LifecycleStatus {
    return {
      modelName: this.input.modelName,
      champion: this.champion,
      canary: this.canary,
      awaitingApproval: this.awaitingApproval,
      transitions: this.transitions,
    };
  }
}

/**
 * One long-lived workflow per model (id `lifecycle/<model>`) through which every change to what is
 * served goes, as validated updates: promote, rollback, a challenger's canary, approvals.
 */
export async function modelLifecycleWorkflow(input: LifecycleInput): Promise<void> {
  // Serving changes are small idempotent database writes (alias, split, audit event keyed by the
  // workflow id and sequence): retried freely. An unknown version is bad input, not retried.
  const activities = proxyActivities<LoopActivities>({
    taskQueue: input.taskQueues.cpu,
    startToCloseTimeout: '2 minutes',
    retry: { maximumAttempts: 10, initialInterval: '1 second', nonRetryableErrorTypes },
  });
  const lifecycle = new Lifecycle(input, activities);
  const policy: CanaryPolicy = { ...defaultCanaryPolicy, ...input.canary };
  const pendingChallengers: ChallengerRequest[] = [];

  setHandler(lifecycleStatusQuery, () => lifecycle.status());

  setHandler(
    promoteUpdate,
    (request) =>
      lifecycle.serialize(async (): Promise<TransitionResult> => {
        if (request.version === lifecycle.champion) {
          throw ApplicationFailure.create({
            type: errorTypes.invalidInput.type,
            message: `v${request.version} is already the champion of ${input.modelName}`,
          });
        }
        await activities.resolveModelVersion({
          modelName: input.modelName,
          version: request.version,
          servable: true,
        });
        const transition = await lifecycle.apply({
          champion: request.version,
          challenger: null,
          share: 0,
          action: 'promote',
          actor: request.actor,
          reason: request.reason ?? 'promoted by request',
        });
        return { champion: lifecycle.champion, transition };
      }),
    { validator: (request) => validateVersionRequest(request, lifecycle) },
  );

  setHandler(
    rollbackUpdate,
    (request) =>
      lifecycle.serialize(async (): Promise<TransitionResult> => {
        const previous = lifecycle.championHistory.pop();
        if (previous === undefined)
          throw ApplicationFailure.create({
            type: errorTypes.invalidInput.type,
            message: `${input.modelName} has no earlier champion to roll back to`,
          });
        const transition = await lifecycle.apply({
          champion: previous,
          challenger: null,
          share: 0,
          action: 'rollback',
          actor: request.actor,
          reason: request.reason ?? 'rolled back by request',
        });
        // The version rolled back from is not a place to return to.
        lifecycle.championHistory.pop();
        return { champion: lifecycle.champion, transition };
      }),
    {
      validator: (request) => {
        requireActor(request.actor);
        if (lifecycle.canary)
          throw new Error(
            `a canary of v${lifecycle.canary.challengerVersion} is running; answer it with approve (rollback) instead`,
          );
        if (lifecycle.championHistory.length === 0)
          throw new Error(`${input.modelName} has no earlier champion to roll back to`);
      },
    },
  );

  setHandler(
    challengerUpdate,
    (request) => {
      pendingChallengers.push(request);
      return Promise.resolve({ accepted: true as const, challenger: request.version });
    },
    { validator: (request) => validateVersionRequest(request, lifecycle) },
  );

  setHandler(
    approveUpdate,
    (request) => {
      lifecycle.approval = request;
      return Promise.resolve({ accepted: true as const });
    },
    {
      validator: (request) => {
        requireActor(request.actor);
        if (!lifecycle.awaitingApproval) throw new Error('nothing is waiting for approval');
        if (request.decision !== 'promote' && request.decision !== 'rollback')
          throw new Error('decision must be promote or rollback');
      },
    },
  );

  if (lifecycle.champion === null)
    lifecycle.champion = (await activities.currentServing({ modelName: input.modelName })).champion;
  for (;;) {
    await condition(() => pendingChallengers.length > 0 || workflowInfo().continueAsNewSuggested);
    const request = pendingChallengers.shift();
    if (request)
      await lifecycle.serialize(() => runChallenger(lifecycle, request, { ...policy, ...request.canary }));
    if (workflowInfo().continueAsNewSuggested && pendingChallengers.length === 0) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof modelLifecycleWorkflow>({
        ...input,
        state: {
          champion: lifecycle.champion,
          championHistory: lifecycle.championHistory,
          transitions: lifecycle.transitions,
          sequence: lifecycle.sequence,
        },
      });
    }
  }
}

function requireActor(actor: unknown): void {
  if (typeof actor !== 'string' || actor.trim().length === 0) throw new Error('say who asks (actor)');
}

/**
 * Update validators run before anything enters history: a refused request leaves no trace. They
 * judge the request's shape and the workflow's state; whether the version exists, or already is
 * the champion, is the handler's to find out (it needs what is served, read by an activity).
 */
function validateVersionRequest(request: { version: number; actor: string }, lifecycle: Lifecycle): void {
  requireActor(request.actor);
  if (!Number.isInteger(request.version) || request.version < 1) {
    throw new Error(`version must be a positive whole number, not ${JSON.stringify(request.version)}`);
  }
  if (lifecycle.canary) {
    throw new Error(
      `a canary of v${lifecycle.canary.challengerVersion} is running; wait for it or answer it with approve`,
    );
  }
}
