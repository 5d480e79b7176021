import type { Disparities } from './disparities.js';
import type { AttributeFairness, FairnessReport } from './fairness.js';

/**
 * The one rule fairness gates and the report's headline judge a model by: an attribute's
 * disparities over its groups that are not small (fewer than `minGroupSize` rows give rates too
 * noisy to act on), or over all its groups when fewer than two are large enough to compare.
 */
export function judgedDisparities(attribute: AttributeFairness): {
  readonly disparities: Disparities;
  /** The small groups the judged numbers leave out (none when all groups had to count). */
  readonly leftOut: readonly string[];
} {
  return attribute.excludingSmallGroups
    ? { disparities: attribute.excludingSmallGroups, leftOut: attribute.smallGroups ?? [] }
    : { disparities: attribute.overall, leftOut: [] };
}

export interface JudgedFairness {
  /** Worst over every class and attribute by `judgedDisparities`; null where none is defined. */
  readonly demographicParityDifference: number | null;
  readonly demographicParityRatio: number | null;
  readonly equalizedOddsDifference: number | null;
}

/** The worst judged values over the report, and per attribute (the keys `<metric>:<attribute>`). */
export function judgedFairness(report: FairnessReport): {
  readonly worst: JudgedFairness;
  readonly byAttribute: ReadonlyMap<string, JudgedFairness>;
} {
  const worstOf = (current: number | null, value: number | null, pick: (a: number, b: number) => number) =>
    value === null ? current : current === null ? value : pick(current, value);
  const fold = (into: JudgedFairness | undefined, disparities: Disparities): JudgedFairness => ({
    demographicParityDifference: worstOf(
      into?.demographicParityDifference ?? null,
      disparities.demographicParityDifference,
      Math.max,
    ),
    demographicParityRatio: worstOf(
      into?.demographicParityRatio ?? null,
      disparities.demographicParityRatio,
      Math.min,
    ),
    equalizedOddsDifference: worstOf(
      into?.equalizedOddsDifference ?? null,
      disparities.equalizedOddsDifference,
      Math.max,
    ),
  });
  let worst: JudgedFairness | undefined;
  const byAttribute = new Map<string, JudgedFairness>();
  for (const entry of report.classes)
    for (const attribute of entry.attributes) {
      const { disparities } = judgedDisparities(attribute);
      worst = fold(worst, disparities);
      byAttribute.set(attribute.attribute, fold(byAttribute.get(attribute.attribute), disparities));
    }
  return {
    worst: worst ?? {
      demographicParityDifference: null,
      demographicParityRatio: null,
      equalizedOddsDifference: null,
    },
    byAttribute,
  };
}
