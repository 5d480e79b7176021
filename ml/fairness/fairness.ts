/**
 * Fairness of a classifier across the groups of each sensitive attribute. Binary tasks are
 * judged for the positive class; multiclass tasks for every class, one-vs-rest. Small groups
 * (fewer than `minGroupSize` rows) are flagged and kept: the disparities are given once over all
 * groups (Fairlearn's numbers) and once over the groups that are not small, since a handful of
 * rows can produce any rate.
 */

import { MetricsInputError } from '../metrics/errors.js';
import {
  checkClassCount,
  checkClassIndices,
  checkProbabilities,
  resolveClassLabels,
} from '../metrics/inputs.js';
import { type Disparities, disparities } from './disparities.js';
import { assignGroups, type GroupRates, groupRates, type SensitiveAttribute } from './group-rates.js';

export interface FairnessInput {
  /** Actual class index per row. */
  readonly actual: ArrayLike<number>;
  /** Predicted class index per row (e.g. the argmax of the probabilities). */
  readonly predicted: ArrayLike<number>;
  /** Row-major rows x classCount probabilities; adds each group's mean score when given. */
  readonly probabilities?: ArrayLike<number>;
  readonly classCount: number;
  readonly classLabels?: readonly string[];
  readonly sensitive: readonly SensitiveAttribute[];
  /** Binary tasks: the favourable class, as index or label (default index 1). Ignored for multiclass. */
  readonly positiveClass?: number | string;
  /** Groups with fewer rows are flagged `smallGroup` (default 30). */
  readonly minGroupSize?: number;
}

export interface AttributeFairness {
  readonly attribute: string;
  readonly groups: GroupRates[];
  /** Over every group, as Fairlearn computes it. */
  readonly overall: Disparities;
  /** Over the groups that are not small; null when fewer than two such groups exist. */
  readonly excludingSmallGroups: Disparities | null;
  readonly smallGroups: string[];
}

export interface ClassFairness {
  readonly positiveClass: string;
  readonly attributes: AttributeFairness[];
}

export interface FairnessReport {
  readonly minGroupSize: number;
  /** Binary: one entry, the positive class. Multiclass: one entry per class, one-vs-rest. */
  readonly classes: ClassFairness[];
  /** The worst values over every class and attribute (all groups), e.g. for a deployment gate. */
  readonly worst: {
    readonly demographicParityDifference: number;
    readonly demographicParityRatio: number | null;
    readonly equalizedOddsDifference: number | null;
  };
}

function resolvePositiveClass(positiveClass: number | string | undefined, labels: string[]): number {
  if (positiveClass === undefined) return 1;
  const index = typeof positiveClass === 'number' ? positiveClass : labels.indexOf(positiveClass);
  if (!Number.isInteger(index) || index < 0 || index >= labels.length) {
    throw new MetricsInputError(
      `positiveClass ${JSON.stringify(positiveClass)} is not one of ${labels.join(', ')}`,
    );
  }
  return index;
}

function worstOf(values: (number | null)[], pick: (a: number, b: number) => number): number | null {
  const defined = values.filter((value): value is number => value !== null);
  // Two arguments only: reduce also passes the index and array, which Math.min/max would read.
  return defined.length === 0 ? null : defined.reduce((a, b) => pick(a, b));
}

export function computeFairness(input: FairnessInput): FairnessReport {
  const { actual, predicted, classCount } = input;
  checkClassCount(classCount);
  const rowCount = checkClassIndices(actual, classCount, 'actual');
  checkClassIndices(predicted, classCount, 'predicted');
  if (predicted.length !== rowCount) {
    throw new MetricsInputError(`actual has ${rowCount} rows but predicted has ${predicted.length}`);
  }
  if (rowCount === 0) throw new MetricsInputError('no rows to evaluate: actual is empty');
  if (input.probabilities) checkProbabilities(input.probabilities, rowCount, classCount);
  if (input.sensitive.length === 0)
    throw new MetricsInputError('fairness needs at least one sensitive attribute');
  const labels = resolveClassLabels(input.classLabels, classCount);
  const minGroupSize = input.minGroupSize ?? 30;
  if (!Number.isInteger(minGroupSize) || minGroupSize < 1) {
    throw new MetricsInputError(`minGroupSize must be an integer >= 1, got ${minGroupSize}`);
  }
  const positiveClasses =
    classCount === 2 ? [resolvePositiveClass(input.positiveClass, labels)] : labels.map((_, index) => index);
  const assignments = input.sensitive.map((attribute) => assignGroups(attribute, rowCount));

  const classes: ClassFairness[] = positiveClasses.map((positiveClass) => ({
    positiveClass: labels[positiveClass],
    attributes: input.sensitive.map((attribute, attributeIndex) => {
      const groups = groupRates({
        assignment: assignments[attributeIndex],
        actual,
        predicted,
        positiveClass,
        probabilities: input.probabilities ?? null,
        classCount,
        minGroupSize,
      });
      const large = groups.filter((group) => !group.smallGroup);
      return {
        attribute: attribute.name,
        groups,
        overall: disparities(groups),
        excludingSmallGroups: large.length >= 2 ? disparities(large) : null,
        smallGroups: groups.filter((group) => group.smallGroup).map((group) => group.group),
      };
    }),
  }));
  const all = classes.flatMap((entry) => entry.attributes.map((attribute) => attribute.overall));
  return {
    minGroupSize,
    classes,
    worst: {
      demographicParityDifference: Math.max(...all.map((entry) => entry.demographicParityDifference)),
      demographicParityRatio: worstOf(
        all.map((entry) => entry.demographicParityRatio),
        Math.min,
      ),
      equalizedOddsDifference: worstOf(
        all.map((entry) => entry.equalizedOddsDifference),
        Math.max,
      ),
    },
  };
}
