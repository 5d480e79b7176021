/**
 * Per-group counts and rates for one sensitive attribute and one positive class, with
 * Fairlearn's definitions (one-vs-rest when there are more than two classes):
 * selection rate = P(predicted positive), true positive rate = P(predicted positive | actual
 * positive), false positive rate = P(predicted positive | actual negative), accuracy =
 * P(predicted positive = actual positive). Fairlearn reports a rate with an empty denominator as
 * 0 (scikit-learn's normalize='true'); we report null, because a group without positives says
 * nothing about its true positive rate.
 */

import { MISSING_CODE } from '../frame/frame.js';
import { MetricsInputError } from '../metrics/errors.js';

export const MISSING_GROUP_NAME = '(missing)';

export interface SensitiveAttribute {
  readonly name: string;
  /** Index into `dictionary` per row, or -1 for a missing value. */
  readonly codes: Int32Array;
  readonly dictionary: readonly string[];
}

export interface GroupRates {
  /** The dictionary value, or "(missing)" for rows without one. */
  readonly group: string;
  readonly isMissing: boolean;
  readonly count: number;
  /** count < minGroupSize: the rates are reported but too noisy to act on. */
  readonly smallGroup: boolean;
  readonly actualPositiveCount: number;
  readonly selectionRate: number;
  readonly truePositiveRate: number | null;
  readonly falsePositiveRate: number | null;
  readonly accuracy: number;
  /** Mean predicted probability of the positive class; null without probabilities. */
  readonly meanScore: number | null;
}

export interface GroupAssignment {
  readonly groupOfRow: Int32Array;
  readonly names: string[];
  readonly isMissing: boolean[];
}

/** Groups by dictionary value (two codes spelling the same value share a group), missing last. */
export function assignGroups(attribute: SensitiveAttribute, rowCount: number): GroupAssignment {
  const { codes, dictionary } = attribute;
  if (codes.length !== rowCount) {
    throw new MetricsInputError(
      `sensitive attribute ${JSON.stringify(attribute.name)} has ${codes.length} rows, expected ${rowCount}`,
    );
  }
  const names: string[] = [];
  const indexOfName = new Map<string, number>();
  const groupOfCode = Int32Array.from(dictionary, (name) => {
    if (!indexOfName.has(name)) {
      indexOfName.set(name, names.length);
      names.push(name);
    }
    return indexOfName.get(name)!;
  });
  const missingGroup = names.length;
  const groupOfRow = new Int32Array(rowCount);
  for (let row = 0; row < rowCount; row += 1) {
    const code = codes[row];
    if (code === MISSING_CODE) groupOfRow[row] = missingGroup;
    else if (code >= 0 && code < dictionary.length) groupOfRow[row] = groupOfCode[code];
    else {
      throw new MetricsInputError(
        `sensitive attribute ${JSON.stringify(attribute.name)} has code ${code} at row ${row} but a dictionary of ${dictionary.length}`,
      );
    }
  }
  return { groupOfRow, names: [...names, MISSING_GROUP_NAME], isMissing: [...names.map(() => false), true] };
}

export function groupRates(input: {
  readonly assignment: GroupAssignment;
  readonly actual: ArrayLike<number>;
  readonly predicted: ArrayLike<number>;
  readonly positiveClass: number;
  /** Row-major probabilities and the class count, for mean scores. */
  readonly probabilities: ArrayLike<number> | null;
  readonly classCount: number;
  readonly minGroupSize: number;
}): GroupRates[] {
  const { assignment, actual, predicted, positiveClass, probabilities, classCount } = input;
  const groupCount = assignment.names.length;
  const counts = new Float64Array(groupCount);
  const actualPositives = new Float64Array(groupCount);
  const selected = new Float64Array(groupCount);
  const truePositives = new Float64Array(groupCount);
  const correct = new Float64Array(groupCount);
  const scoreSums = new Float64Array(groupCount);
  for (let row = 0; row < actual.length; row += 1) {
    const group = assignment.groupOfRow[row];
    const isPositive = actual[row] === positiveClass;
    const isSelected = predicted[row] === positiveClass;
    counts[group] += 1;
    if (isPositive) actualPositives[group] += 1;
    if (isSelected) selected[group] += 1;
    if (isPositive && isSelected) truePositives[group] += 1;
    if (isPositive === isSelected) correct[group] += 1;
    if (probabilities) scoreSums[group] += probabilities[row * classCount + positiveClass];
  }
  const rates: GroupRates[] = [];
  for (let group = 0; group < groupCount; group += 1) {
    const count = counts[group];
    // Groups with no rows in this data set have no rates at all; they are not listed.
    if (count === 0) continue;
    const negatives = count - actualPositives[group];
    rates.push({
      group: assignment.names[group],
      isMissing: assignment.isMissing[group],
      count,
      smallGroup: count < input.minGroupSize,
      actualPositiveCount: actualPositives[group],
      selectionRate: selected[group] / count,
      truePositiveRate: actualPositives[group] > 0 ? truePositives[group] / actualPositives[group] : null,
      falsePositiveRate: negatives > 0 ? (selected[group] - truePositives[group]) / negatives : null,
      accuracy: correct[group] / count,
      meanScore: probabilities ? scoreSums[group] / count : null,
    });
  }
  return rates;
}
