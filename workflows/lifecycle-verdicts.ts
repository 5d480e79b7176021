import type { CanaryPolicy, LiveEvidence } from '../contracts/lifecycle.js';
import type { ComparisonOutput } from '../contracts/loop-stages.js';
import { lowerIsBetter, type PrimaryMetric } from '../spec/types.js';
import { roundTo } from './rounding.js';

/**
 * The lifecycle's pure judgements: whether a challenger earns a canary (offline, on recent labeled
 * traffic) and what the canary's live evidence decides. No I/O, no state: unit-tested alone.
 */

/** How much better `challenger` is than `champion`, in the metric's direction (negative: worse). */
export function improvement(metricLowerIsBetter: boolean, champion: number, challenger: number): number {
  return metricLowerIsBetter ? champion - challenger : challenger - champion;
}

export type OfflineVerdict = { readonly canary: true } | { readonly canary: false; readonly why: string };

/**
 * A challenger goes on to a canary unless the same recent labeled traffic shows it short of the
 * champion by the required gain. Too few labels (or a metric that cannot be computed) is no
 * evidence against it: the canary decides.
 */
export function judgeOffline(offline: ComparisonOutput, policy: CanaryPolicy): OfflineVerdict {
  if (offline.rows < policy.minLabels || offline.champion === null || offline.challenger === null)
    return { canary: true };
  const gain = improvement(offline.lowerIsBetter, offline.champion, offline.challenger);
  if (gain >= policy.minImprovement) return { canary: true };
  return {
    canary: false,
    why: `on ${offline.rows} recent labeled requests ${offline.metric} is ${roundTo(offline.challenger)} vs the champion's ${roundTo(offline.champion)} (needs +${policy.minImprovement})`,
  };
}

export interface CanaryVerdict {
  readonly decision: 'promote' | 'rollback';
  readonly why: string;
}

/**
 * Promote when the challenger's live metric is at least the champion's plus the required gain, on
 * enough labels for each; roll back otherwise (too few labels, or a metric that cannot be computed).
 */
export function judgeCanary(evidence: LiveEvidence | null, policy: CanaryPolicy): CanaryVerdict {
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
  const gain = improvement(lowerIsBetter.has(metric as PrimaryMetric), champion.value, challenger.value);
  const comparison = `live ${metric}: challenger ${roundTo(challenger.value)} vs champion ${roundTo(champion.value)} on ${challenger.labeled} and ${champion.labeled} labels`;
  return gain >= policy.minImprovement
    ? { decision: 'promote', why: `${comparison}: better` }
    : { decision: 'rollback', why: `${comparison}: worse` };
}

/** Whether the bake has what it needs to decide early: enough labels on both sides. */
export function canaryHasEnoughLabels(evidence: LiveEvidence, policy: CanaryPolicy): boolean {
  return evidence.champion.labeled >= policy.minLabels && evidence.challenger.labeled >= policy.minLabels;
}
