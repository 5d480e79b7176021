/**
 * Disparities across the groups of one attribute, as Fairlearn defines them (its default
 * method='between_groups', agg='worst_case'):
 * - demographic parity difference = max - min selection rate over groups;
 * - demographic parity ratio = min / max selection rate;
 * - equalized odds difference = the larger of (max - min true positive rate) and
 *   (max - min false positive rate).
 * Groups whose rate is undefined (null) are left out of that rate's spread.
 */

import type { GroupRates } from './group-rates.js';

export interface Disparities {
  /** How many groups the numbers cover. */
  readonly groupCount: number;
  readonly demographicParityDifference: number;
  /** Null when every group's selection rate is 0 (0 / 0). */
  readonly demographicParityRatio: number | null;
  /** The larger of the two rate differences that are defined; null when neither is. */
  readonly equalizedOddsDifference: number | null;
  readonly truePositiveRateDifference: number | null;
  readonly falsePositiveRateDifference: number | null;
}

function spread(values: (number | null)[]): { min: number; max: number } | null {
  const defined = values.filter((value): value is number => value !== null);
  if (defined.length === 0) return null;
  return { min: Math.min(...defined), max: Math.max(...defined) };
}

export function disparities(groups: readonly GroupRates[]): Disparities {
  const selection = spread(groups.map((group) => group.selectionRate))!;
  const truePositive = spread(groups.map((group) => group.truePositiveRate));
  const falsePositive = spread(groups.map((group) => group.falsePositiveRate));
  const truePositiveRateDifference = truePositive ? truePositive.max - truePositive.min : null;
  const falsePositiveRateDifference = falsePositive ? falsePositive.max - falsePositive.min : null;
  const odds = [truePositiveRateDifference, falsePositiveRateDifference].filter(
    (value): value is number => value !== null,
  );
  return {
    groupCount: groups.length,
    demographicParityDifference: selection.max - selection.min,
    demographicParityRatio: selection.max === 0 ? null : selection.min / selection.max,
    equalizedOddsDifference: odds.length === 0 ? null : Math.max(...odds),
    truePositiveRateDifference,
    falsePositiveRateDifference,
  };
}
