/**
 * Pearson chi-square tests, matching SciPy:
 * - `chiSquareTest(observed, expected?, { ddof })` is `scipy.stats.chisquare` (goodness of fit;
 *   expected defaults to equal frequencies; the sums must agree to a relative 1.49e-8);
 * - `chiSquareContingency(table, { correction })` is `scipy.stats.chi2_contingency`
 *   (independence / homogeneity; Yates' continuity correction only when dof = 1 and
 *   `correction` is true, SciPy's default).
 */

import { StatisticsInputError } from './errors.js';
import { chiSquareSurvival } from './gamma.js';

export interface ChiSquareResult {
  readonly statistic: number;
  readonly pValue: number;
  readonly degreesOfFreedom: number;
}

const SUM_TOLERANCE = Math.sqrt(2 ** -52);

function checkFrequencies(values: ArrayLike<number>, label: string): void {
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index];
    if (!Number.isFinite(value) || value < 0) {
      throw new StatisticsInputError(
        `chi-square: ${label}[${index}] must be a finite count >= 0, got ${value}`,
      );
    }
  }
}

function pearsonStatistic(observed: ArrayLike<number>, expected: ArrayLike<number>): number {
  let statistic = 0;
  for (let index = 0; index < observed.length; index += 1) {
    const difference = observed[index] - expected[index];
    statistic += (difference * difference) / expected[index];
  }
  return statistic;
}

function pValueFor(statistic: number, degreesOfFreedom: number): number {
  // SciPy answers NaN for dof <= 0 in chisquare; we say so instead of returning NaN.
  if (degreesOfFreedom <= 0) {
    throw new StatisticsInputError(
      `chi-square: ${degreesOfFreedom} degrees of freedom; the test needs more categories than 1 + ddof`,
    );
  }
  return chiSquareSurvival(statistic, degreesOfFreedom);
}

/** Goodness-of-fit test of observed counts against expected counts (default: all equal). */
export function chiSquareTest(
  observed: ArrayLike<number>,
  expected?: ArrayLike<number> | null,
  options: { ddof?: number } = {},
): ChiSquareResult {
  checkFrequencies(observed, 'observed');
  let expectedCounts: ArrayLike<number>;
  if (expected) {
    if (expected.length !== observed.length) {
      throw new StatisticsInputError(
        `chi-square: observed has ${observed.length} categories but expected has ${expected.length}`,
      );
    }
    checkFrequencies(expected, 'expected');
    let observedSum = 0;
    let expectedSum = 0;
    for (let index = 0; index < observed.length; index += 1) {
      observedSum += observed[index];
      expectedSum += expected[index];
    }
    if (Math.abs(observedSum - expectedSum) / Math.min(observedSum, expectedSum) > SUM_TOLERANCE) {
      throw new StatisticsInputError(
        `chi-square: observed counts sum to ${observedSum} but expected counts sum to ${expectedSum}; ` +
          'scale the expected counts to the observed total',
      );
    }
    expectedCounts = expected;
  } else {
    let sum = 0;
    for (let index = 0; index < observed.length; index += 1) sum += observed[index];
    expectedCounts = new Float64Array(observed.length).fill(sum / observed.length);
  }
  for (let index = 0; index < expectedCounts.length; index += 1) {
    if (expectedCounts[index] === 0) {
      throw new StatisticsInputError(
        `chi-square: expected count of category ${index} is 0; drop or merge it`,
      );
    }
  }
  const statistic = pearsonStatistic(observed, expectedCounts);
  const degreesOfFreedom = observed.length - 1 - (options.ddof ?? 0);
  return { statistic, pValue: pValueFor(statistic, degreesOfFreedom), degreesOfFreedom };
}

/** Chi-square test of independence on an r x c contingency table (rows of equal length). */
export function chiSquareContingency(
  table: readonly (readonly number[])[] | readonly ArrayLike<number>[],
  options: { correction?: boolean } = {},
): ChiSquareResult & { readonly expected: number[][] } {
  const rowCount = table.length;
  const columnCount = rowCount > 0 ? table[0].length : 0;
  if (rowCount === 0 || columnCount === 0)
    throw new StatisticsInputError('chi-square: the contingency table is empty');
  const rowSums = new Float64Array(rowCount);
  const columnSums = new Float64Array(columnCount);
  let total = 0;
  table.forEach((row, rowIndex) => {
    if (row.length !== columnCount) {
      throw new StatisticsInputError(
        `chi-square: row ${rowIndex} has ${row.length} cells, row 0 has ${columnCount}`,
      );
    }
    checkFrequencies(row, `table[${rowIndex}]`);
    for (let column = 0; column < columnCount; column += 1) {
      rowSums[rowIndex] += row[column];
      columnSums[column] += row[column];
      total += row[column];
    }
  });
  const expected = Array.from({ length: rowCount }, (_, row) =>
    Array.from({ length: columnCount }, (_unused, column) => (rowSums[row] * columnSums[column]) / total),
  );
  expected.forEach((row, rowIndex) =>
    row.forEach((value, column) => {
      if (value === 0) {
        throw new StatisticsInputError(
          `chi-square: expected frequency at [${rowIndex}][${column}] is 0 (an empty row or column); drop it first`,
        );
      }
    }),
  );
  const nontrivialDimensions = (rowCount > 1 ? 1 : 0) + (columnCount > 1 ? 1 : 0);
  const degreesOfFreedom = rowCount * columnCount - rowCount - columnCount + 1;
  if (nontrivialDimensions < 2 || degreesOfFreedom === 0) {
    // SciPy's degenerate case: one nontrivial dimension, so observed equals expected.
    return { statistic: 0, pValue: 1, degreesOfFreedom: 0, expected };
  }
  const observed: number[] = [];
  const expectedFlat: number[] = [];
  const yates = degreesOfFreedom === 1 && (options.correction ?? true);
  for (let row = 0; row < rowCount; row += 1) {
    for (let column = 0; column < columnCount; column += 1) {
      let value = table[row][column];
      const expectedValue = expected[row][column];
      if (yates) {
        // Move each cell half a count toward its expectation, never past it (SciPy gh-13875).
        const difference = expectedValue - value;
        value += Math.sign(difference) * Math.min(0.5, Math.abs(difference));
      }
      observed.push(value);
      expectedFlat.push(expectedValue);
    }
  }
  const statistic = pearsonStatistic(observed, expectedFlat);
  return { statistic, pValue: chiSquareSurvival(statistic, degreesOfFreedom), degreesOfFreedom, expected };
}
