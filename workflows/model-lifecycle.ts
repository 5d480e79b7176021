import { ApplicationFailure, patched, sleep, workflowInfo } from '@temporalio/workflow';
import { auditKeys } from '../contracts/audit-keys.js';
import { errorTypes } from '../contracts/errors.js';
import {
  defaultCanaryPolicy,
  type ApprovalRequest,
  type CanaryPolicy,
  type ChallengerRequest,
  type LifecycleInput,
  type LifecycleState,
  type LifecycleStatus,
  type LiveEvidence,
  type PromoteRequest,
  type RollbackRequest,
  type Transition,
  type TransitionResult,
} from '../contracts/lifecycle.js';
import type { LifecycleActivities } from '../contracts/loop-stages.js';
import { APPROVAL_AUDITED, awaitApproval } from './approval-wait.js';
import { canaryHasEnoughLabels, judgeCanary, judgeOffline } from './lifecycle-verdicts.js';

const KEPT_TRANSITIONS = 50;

/**
 * One model's serving state and every operation on it: promote, rollback, a challenger's way
 * through comparison and canary to promotion or rollback, approvals. Nothing outside assigns its
 * fields; every change is applied one at a time, in arrival order, and audited under a key from
 * `auditKeys.lifecycleEvent`. Validators (`check*`) run before an update enters history: a refused
 * request leaves no trace. They judge the request and this state; whether a version exists, or
 * already is the champion, is for the operation to find out (it reads what is served).
 */
export class ModelLifecycle {
  private champion: number | null;
  private readonly championHistory: number[];
  private transitions: Transition[];
  private sequence: number;
  private canary: LifecycleStatus['canary'] = null;
  private awaitingApproval: LifecycleStatus['awaitingApproval'] = null;
  private approval: ApprovalRequest | null = null;
  private readonly pendingChallengers: ChallengerRequest[] = [];
  private challengerRunning: number | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private championLoaded: boolean;
  private readonly policy: CanaryPolicy;

  constructor(
    private readonly input: LifecycleInput,
    private readonly activities: LifecycleActivities,
  ) {
    this.championHistory = [...(input.state?.championHistory ?? [])];
    this.transitions = [...(input.state?.transitions ?? [])];
    this.sequence = input.state?.sequence ?? 0;
    this.champion = input.state?.champion ?? null;
    this.championLoaded = input.state !== undefined;
    this.policy = { ...defaultCanaryPolicy, ...input.canary };
  }

  /** Reads what is served when the workflow starts with no state carried over. */
  async loadChampion(): Promise<void> {
    if (this.champion === null)
      this.champion = (await this.activities.currentServing({ modelName: this.input.modelName })).champion;
  }

  checkPromote(request: PromoteRequest): void {
    this.checkVersionRequest(request);
    this.checkNoChallenger('promote');
  }

  promote(request: PromoteRequest): Promise<TransitionResult> {
    return this.serialize(async () => {
      if (request.version === this.champion) {
        throw ApplicationFailure.create({
          ...errorTypes.alreadyChampion,
          message: `v${request.version} is already the champion of ${this.input.modelName}`,
        });
      }
      await this.activities.resolveModelVersion({
        modelName: this.input.modelName,
        version: request.version,
        servable: true,
      });
      const transition = await this.apply({
        champion: request.version,
        challenger: null,
        share: 0,
        action: 'promote',
        actor: request.actor,
        reason: request.reason ?? 'promoted by request',
      });
      return { champion: this.champion, transition };
    });
  }

  checkRollback(request: RollbackRequest): void {
    requireActor(request.actor);
    this.checkNoChallenger('rollback');
    if (this.championHistory.length === 0)
      throw new Error(`${this.input.modelName} has no earlier champion to roll back to`);
  }

  rollback(request: RollbackRequest): Promise<TransitionResult> {
    return this.serialize(async () => {
      const previous = this.championHistory.pop();
      if (previous === undefined)
        throw ApplicationFailure.create({
          ...errorTypes.invalidInput,
          message: `${this.input.modelName} has no earlier champion to roll back to`,
        });
      const transition = await this.apply({
        champion: previous,
        challenger: null,
        share: 0,
        action: 'rollback',
        actor: request.actor,
        reason: request.reason ?? 'rolled back by request',
      });
      // The version rolled back from is not a place to return to.
      this.championHistory.pop();
      return { champion: this.champion, transition };
    });
  }

  checkChallenger(request: ChallengerRequest): void {
    this.checkVersionRequest(request);
  }

  /** Queues a challenger; the workflow's loop runs them one by one (`runNextChallenger`). */
  acceptChallenger(request: ChallengerRequest): { accepted: true; challenger: number } {
    this.pendingChallengers.push(request);
    return { accepted: true, challenger: request.version };
  }

  checkApproval(request: ApprovalRequest): void {
    requireActor(request.actor);
    if (!this.awaitingApproval) throw new Error('nothing is waiting for approval');
    if (request.decision !== 'promote' && request.decision !== 'rollback')
      throw new Error('decision must be promote or rollback');
  }

  approve(request: ApprovalRequest): { accepted: true } {
    this.approval = request;
    return { accepted: true };
  }

  hasPendingChallenger(): boolean {
    return this.pendingChallengers.length > 0;
  }

  /** The oldest queued challenger's whole way, serialized with every other change. */
  async runNextChallenger(): Promise<void> {
    const request = this.pendingChallengers.shift();
    if (!request) return;
    this.challengerRunning = request.version;
    try {
      await this.serialize(() => this.challenge(request, { ...this.policy, ...request.canary }));
    } finally {
      this.challengerRunning = null;
    }
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

  /** What continue-as-new carries to the next run. */
  carryOver(): LifecycleState {
    return {
      champion: this.champion,
      championHistory: this.championHistory,
      transitions: this.transitions,
      sequence: this.sequence,
    };
  }

  /**
   * A challenger's way to the champion's place: first judged against the champion on the same
   * recent labeled traffic; then a canary serving `share` of requests while labels arrive (timers
   * only: no worker is held while it bakes); then promoted, or rolled back when its live metric is
   * worse, optionally after a person approves within a deadline.
   */
  private async challenge(request: ChallengerRequest, policy: CanaryPolicy): Promise<void> {
    const { modelName } = this.input;
    const champion = this.champion;
    const actor = request.actor;
    if (champion === null)
      return this.reject(
        request,
        `v${request.version} has no champion to challenge: promote a version first`,
      );
    if (champion === request.version)
      return this.reject(request, `v${request.version} is already the champion`);
    await this.activities.resolveModelVersion({ modelName, version: request.version, servable: true });

    const offline = judgeOffline(
      await this.activities.compareOnLabeledTraffic({
        modelName,
        championVersion: champion,
        challengerVersion: request.version,
        since: Date.now() - policy.comparisonWindowSeconds * 1000,
      }),
      policy,
    );
    if (!offline.canary) return this.reject(request, offline.why);

    const startedAt = Date.now();
    await this.apply({
      champion,
      challenger: request.version,
      share: policy.share,
      action: 'canary-start',
      actor,
      reason: `${request.reason ?? 'a new challenger'}: v${request.version} serves ${Math.round(policy.share * 100)}% of requests`,
    });
    const deadline = startedAt + policy.bakeSeconds * 1000;
    this.canary = {
      challengerVersion: request.version,
      share: policy.share,
      startedAt,
      deadline,
      evidence: null,
    };

    let evidence: LiveEvidence | null = null;
    while (Date.now() < deadline) {
      await sleep(Math.min(policy.checkIntervalSeconds * 1000, Math.max(1, deadline - Date.now())));
      evidence = await this.activities.canaryEvidence({
        modelName,
        championVersion: champion,
        challengerVersion: request.version,
        since: startedAt,
      });
      this.canary = { ...this.canary, evidence };
      if (canaryHasEnoughLabels(evidence, policy)) break;
    }
    const verdict = judgeCanary(evidence, policy);
    let decision = verdict.decision;
    let decidedBy = actor;
    if (policy.approval) {
      this.awaitingApproval = {
        recommended: decision,
        deadline: Date.now() + policy.approval.timeoutSeconds * 1000,
        why: verdict.why,
      };
      this.approval = null;
      const given = await awaitApproval(
        `of ${modelName} v${request.version} (canary at ${policy.share}): recommended ${decision}; ${verdict.why}`,
        policy.approval.timeoutSeconds,
        () => this.approval,
      );
      if (given && patched(APPROVAL_AUDITED))
        await this.recordApproval(given, {
          champion,
          challenger: request.version,
          share: policy.share,
          recommended: decision,
        });
      decision = given ? given.decision : policy.approval.defaultAction;
      decidedBy = given ? given.actor : `no answer within ${policy.approval.timeoutSeconds}s: the default`;
    }
    const promote = decision === 'promote';
    await this.apply({
      champion: promote ? request.version : champion,
      challenger: null,
      share: 0,
      action: promote ? 'canary-promote' : 'canary-rollback',
      actor: decidedBy,
      reason: verdict.why,
    });
    // Cleared once applied, so the status never shows a canary as over before serving changed.
    this.awaitingApproval = null;
    this.canary = null;
  }

  /**
   * One change at a time, in arrival order: the next waits for the previous to finish. The first
   * reads what is served now (an update can arrive with the start, before anything was read).
   */
  private serialize<T>(change: () => Promise<T>): Promise<T> {
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
  private async apply(change: {
    champion: number;
    challenger: number | null;
    share: number;
    action: string;
    actor: string;
    reason: string;
  }): Promise<Transition> {
    const eventKey = this.nextEventKey();
    await this.activities.setServingTraffic({
      modelName: this.input.modelName,
      champion: change.champion,
      challenger: change.challenger,
      share: change.share,
      transition: { eventKey, action: change.action, actor: change.actor, reason: change.reason },
    });
    const transition = this.record(change.action, change.actor, change.reason, change.champion);
    if (this.champion !== null && this.champion !== change.champion) this.championHistory.push(this.champion);
    this.champion = change.champion;
    return transition;
  }

  /** A challenger turned away before any canary: audited, serving unchanged. */
  private async reject(request: ChallengerRequest, reason: string): Promise<void> {
    await this.activities.recordLifecycleEvent({
      modelName: this.input.modelName,
      eventKey: this.nextEventKey(),
      action: 'challenger-rejected',
      actor: request.actor,
      reason,
      version: request.version,
      before: { champion: this.champion, challenger: request.version },
      after: { champion: this.champion, challenger: null },
    });
    this.record('challenger-rejected', request.actor, reason, this.champion);
  }

  /** A person's answer to a canary, audited when it arrives. */
  private async recordApproval(
    given: ApprovalRequest,
    canary: { champion: number; challenger: number; share: number; recommended: string },
  ): Promise<void> {
    await this.activities.recordLifecycleEvent({
      modelName: this.input.modelName,
      eventKey: this.nextEventKey(),
      action: 'approve',
      actor: given.actor,
      reason: given.reason ?? `${given.decision} by request`,
      version: canary.challenger,
      // Serving changes with the next `apply`; what the answer changes is the decision.
      before: { ...canary, decision: null },
      after: { ...canary, decision: given.decision },
    });
  }

  private record(action: string, actor: string, reason: string, toVersion: number | null): Transition {
    const transition: Transition = {
      at: Date.now(),
      action,
      actor,
      reason,
      fromVersion: this.champion,
      toVersion,
    };
    this.transitions = [...this.transitions, transition].slice(-KEPT_TRANSITIONS);
    return transition;
  }

  private nextEventKey(): string {
    this.sequence += 1;
    return auditKeys.lifecycleEvent(workflowInfo(), this.sequence);
  }

  private checkVersionRequest(request: { version: number; actor: string }): void {
    requireActor(request.actor);
    if (!Number.isInteger(request.version) || request.version < 1) {
      throw new Error(`version must be a positive whole number, not ${JSON.stringify(request.version)}`);
    }
    if (this.canary) {
      throw new Error(
        `a canary of v${this.canary.challengerVersion} is running; wait for it or answer it with approve`,
      );
    }
  }

  /**
   * Promote and rollback wait for no challenger: one that is queued or being compared would hold
   * them for its whole bake. They are refused instead, saying what to wait for.
   */
  private checkNoChallenger(operation: 'promote' | 'rollback'): void {
    if (this.canary)
      throw new Error(
        `a canary of v${this.canary.challengerVersion} is running; answer it with approve (${operation === 'rollback' ? 'rollback' : 'promote'}) instead`,
      );
    const waiting = this.challengerRunning ?? this.pendingChallengers[0]?.version;
    if (waiting !== undefined)
      throw new Error(`challenger v${waiting} is being judged; ${operation} once its canary has ended`);
  }
}

function requireActor(actor: unknown): void {
  if (typeof actor !== 'string' || actor.trim().length === 0) throw new Error('say who asks (actor)');
}
