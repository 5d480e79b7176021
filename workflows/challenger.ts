import { condition, sleep } from '@temporalio/workflow';
import { lowerIsBetter, type PrimaryMetric } from '../spec/types.js';
import type { ApprovalRequest, CanaryPolicy, ChallengerRequest, LiveEvidence } from './lifecycle-messages.js';
import type { Lifecycle } from './lifecycle.js';

/**
 * A challenger's way to the champion's place: first judged against the champion on the same
 * recent labeled traffic; then a canary serving `share` of requests while labels arrive (timers
 * only: no worker is held while it bakes); then promoted, or rolled back when its live metric is
 * worse, optionally after a person approves within a deadline.
 */
export async function runChallenger(
  lifecycle: Lifecycle,
  request: ChallengerRequest,
  policy: CanaryPolicy,
): Promise<void> {
  const { activities, input } = lifecycle;
  const champion = lifecycle.champion;
  const actor = request.actor;
  const reject = async (reason: string) => {
    lifecycle.transitions = [
      ...lifecycle.transitions,
      {
        at: Date.now(),
        action: 'challenger-rejected',
        actor,
        reason,
        fromVersion: champion,
        toVersion: champion,
      },
    ];
    await activities.recordLifecycleEvent({
      modelName: input.modelName,
      eventKey: `${input.modelName}:challenger:${request.version}:${lifecycle.sequence}:${lifecycle.transitions.length}`,
      action: 'challenger-rejected',
      actor,
      reason,
      version: request.version,
    });
  };
  if (champion === null)
    return reject(`v${request.version} has no champion to challenge: promote a version first`);
  if (champion === request.version) return reject(`v${request.version} is already the champion`);
  await activities.resolveModelVersion({
    modelName: input.modelName,
    version: request.version,
    servable: true,
  });

  const offline = await activities.compareOnLabeledTraffic({
    modelName: input.modelName,
    championVersion: champion,
    challengerVersion: request.version,
    since: Date.now() - policy.comparisonWindowSeconds * 1000,
  });
  if (offline.rows >= policy.minLabels && offline.champion !== null && offline.challenger !== null) {
    const gain = offline.lowerIsBetter
      ? offline.champion - offline.challenger
      : offline.challenger - offline.champion;
    if (gain < policy.minImprovement) {
      return reject(
        `on ${offline.rows} recent labeled requests ${offline.metric} is ${round(offline.challenger)} vs the champion's ${round(offline.champion)} (needs +${policy.minImprovement})`,
      );
    }
  }

  const startedAt = Date.now();
  await lifecycle.apply({
    champion,
    challenger: request.version,
    share: policy.share,
    action: 'canary-start',
    actor,
    reason: `${request.reason ?? 'a new challenger'}: v${request.version} serves ${Math.round(policy.share * 100)}% of requests`,
  });
  lifecycle.canary = {
    challengerVersion: request.version,
    share: policy.share,
    startedAt,
    deadline: startedAt + policy.bakeSeconds * 1000,
    evidence: null,
  };

  let evidence: LiveEvidence | null = null;
  while (Date.now() < lifecycle.canary.deadline) {
    await sleep(
      Math.min(policy.checkIntervalSeconds * 1000, Math.max(1, lifecycle.canary.deadline - Date.now())),
    );
    evidence = await activities.canaryEvidence({
      modelName: input.modelName,
      championVersion: champion,
      challengerVersion: request.version,
      since: startedAt,
    });
    lifecycle.canary = { ...lifecycle.canary, evidence };
    if (evidence.champion.labeled >= policy.minLabels && evidence.challenger.labeled >= policy.minLabels)
      break;
  }
  const verdict = judge(evidence, policy);
  let decision = verdict.decision;
  let decidedBy = 'the canary';
  if (policy.approval) {
    lifecycle.awaitingApproval = {
      recommended: decision,
      deadline: Date.now() + policy.approval.timeoutSeconds * 1000,
      why: verdict.why,
    };
    lifecycle.approval = null;
    // Read through a function: the approve update sets it while this waits.
    const answer = (): ApprovalRequest | null => lifecycle.approval;
    await condition(() => answer() !== null, policy.approval.timeoutSeconds * 1000);
    const given = answer();
    decision = given ? given.decision : policy.approval.defaultAction;
    decidedBy = given ? given.actor : `no answer within ${policy.approval.timeoutSeconds}s: the default`;
  }
  const promote = decision === 'promote';
  await lifecycle.apply({
    champion: promote ? request.version : champion,
    challenger: null,
    share: 0,
    action: promote ? 'canary-promote' : 'canary-rollback',
    actor: decidedBy === 'the canary' ? actor : decidedBy,
    reason: verdict.why,
  });
  // Cleared once applied, so the status never shows a canary as over before serving changed.
  lifecycle.awaitingApproval = null;
  lifecycle.canary = null;
}

/** Promote when the challenger's live metric is at least the champion's (plus the required gain); roll back otherwise. */
function judge(
  evidence: LiveEvidence | null,
  policy: CanaryPolicy,
): { decision: 'promote' | 'rollback'; why: string } {
  if (
    !evidence ||
    evidence.champion.labeled < policy.minLabels ||
    evidence.challenger.labeled < policy.minLabels
  ) {
    const labeled = evidence ? `${evidence.champion.labeled} and ${evidence.challenger.labeled}` : 'no';
    return {
      decision: 'rollback',
      why: `the bake ended with ${labeled} labeled predictions (champion, challenger); ${policy.minLabels} each were needed`,
    };
  }
  const { champion, challenger, metric } = evidence;
  if (champion.value === null || challenger.value === null)
    return { decision: 'rollback', why: `live ${metric} could not be computed` };
  const gain = lowerIsBetter.has(metric as PrimaryMetric)
    ? champion.value - challenger.value
    : challenger.value - champion.value;
  const comparison = `live ${metric}: challenger ${round(challenger.value)} vs champion ${round(champion.value)} on ${challenger.labeled} and ${champion.labeled} labels`;
  return gain >= policy.minImprovement
    ? { decision: 'promote', why: `${comparison}: better` }
    : { decision: 'rollback', why: `${comparison}: worse` };
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
