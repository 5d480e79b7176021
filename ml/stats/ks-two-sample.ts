/**
 * Two-sample two-sided Kolmogorov–Smirnov test, matching SciPy's `ks_2samp(a, b)` with
 * `alternative='two-sided'`: the same statistic, and the same p-value for `method` 'auto'
 * (exact when both samples have at most 10,000 values, asymptotic otherwise), 'exact' and
 * 'asymp' — including SciPy's fallback from 'exact' to 'asymp' when the exact count overflows.
 * The asymptotic p-value is `kstwo.sf(D, round(n1·n2 / (n1 + n2)))`, the exact one-sample KS
 * distribution at the effective sample size, not the Kolmogorov limit.
 */

import { StatisticsInputError } from './errors.js';
import { exactTwoSamplePValue } from './ks-two-sample-exact.js';
import { kolmogorovSmirnovSurvival } from './kolmogorov-smirnov-distribution.js';

export type KolmogorovSmirnovMethod = 'auto' | 'exact' | 'asymp';

export interface KolmogorovSmirnovResult {
  /** sup |F_a(x) - F_b(x)| over the empirical CDFs. */
  readonly statistic: number;
  readonly pValue: number;
  /** The method that produced the p-value after SciPy's rules ('auto' resolved, fallbacks applied). */
  readonly method: 'exact' | 'asymp';
}

const MAX_EXACT_AUTO_SIZE = 10_000;
const INT32_MAX = 2 ** 31 - 1;

function greatestCommonDivisor(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/** numpy.round: halves go to the even neighbour. */
function roundHalfToEven(value: number): number {
  const floor = Math.floor(value);
  const difference = value - floor;
  if (difference < 0.5) return floor;
  if (difference > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** The p-value of a two-sided two-sample KS statistic for samples of the given sizes. */
export function kolmogorovSmirnovTwoSamplePValue(input: {
  statistic: number;
  sizeA: number;
  sizeB: number;
  method?: KolmogorovSmirnovMethod;
}): KolmogorovSmirnovResult {
  const { sizeA, sizeB } = input;
  let statistic = input.statistic;
  if (!Number.isInteger(sizeA) || !Number.isInteger(sizeB) || sizeA < 1 || sizeB < 1) {
    throw new StatisticsInputError(`KS test needs two non-empty samples, got sizes ${sizeA} and ${sizeB}`);
  }
  if (!(statistic >= 0 && statistic <= 1)) {
    throw new StatisticsInputError(`KS statistic must lie in [0, 1], got ${statistic}`);
  }
  const g = greatestCommonDivisor(sizeA, sizeB);
  let method: 'exact' | 'asymp';
  const requested = input.method ?? 'auto';
  if (requested === 'auto') method = Math.max(sizeA, sizeB) <= MAX_EXACT_AUTO_SIZE ? 'exact' : 'asymp';
  else if (requested === 'exact') method = sizeA / g >= INT32_MAX / (sizeB / g) ? 'asymp' : 'exact';
  else method = 'asymp';

  if (method === 'exact') {
    const lcm = (sizeA / g) * sizeB;
    const h = roundHalfToEven(statistic * lcm);
    statistic = h / lcm;
    const pValue = exactTwoSamplePValue(sizeA, sizeB, g, h);
    if (pValue !== null) return { statistic, pValue, method };
    method = 'asymp';
  }
  const larger = Math.max(sizeA, sizeB);
  const smaller = Math.min(sizeA, sizeB);
  const effectiveSize = roundHalfToEven((larger * smaller) / (larger + smaller));
  // One value on each side rounds the effective size to 0, where kstwo is undefined: SciPy's
  // p-value is NaN there, and so is this one (rather than a RangeError from kstwo).
  if (effectiveSize < 1) return { statistic, pValue: Number.NaN, method };
  return { statistic, pValue: kolmogorovSmirnovSurvival(effectiveSize, statistic), method };
}

function sortedFiniteCopy(values: ArrayLike<number>, label: string): Float64Array {
  const sorted = Float64Array.from(values);
  for (let index = 0; index < sorted.length; index += 1) {
    if (Number.isNaN(sorted[index])) {
      throw new StatisticsInputError(
        `KS test: sample ${label} holds NaN at index ${index}; drop missing values first`,
      );
    }
  }
  return sorted.sort();
}

/** sup |F_a - F_b| evaluated as SciPy does: at every observed value, with right-continuous ECDFs. */
export function kolmogorovSmirnovStatistic(sortedA: Float64Array, sortedB: Float64Array): number {
  const sizeA = sortedA.length;
  const sizeB = sortedB.length;
  let indexA = 0;
  let indexB = 0;
  let largestPositive = -Infinity;
  let largestNegative = -Infinity;
  while (indexA < sizeA || indexB < sizeB) {
    const value =
      indexB >= sizeB || (indexA < sizeA && sortedA[indexA] <= sortedB[indexB])
        ? sortedA[indexA]
        : sortedB[indexB];
    while (indexA < sizeA && sortedA[indexA] <= value) indexA += 1;
    while (indexB < sizeB && sortedB[indexB] <= value) indexB += 1;
    const difference = indexA / sizeA - indexB / sizeB;
    if (difference > largestPositive) largestPositive = difference;
    if (-difference > largestNegative) largestNegative = -difference;
  }
  return Math.max(largestPositive, Math.min(1, Math.max(0, largestNegative)));
}

/** Two-sided two-sample KS test of whether `a` and `b` come from the same continuous distribution. */
export function kolmogorovSmirnovTwoSample(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  options: { method?: KolmogorovSmirnovMethod } = {},
): KolmogorovSmirnovResult {
  if (a.length === 0 || b.length === 0) {
    throw new StatisticsInputError(
      `KS test needs two non-empty samples, got sizes ${a.length} and ${b.length}`,
    );
  }
  const sortedA = sortedFiniteCopy(a, 'a');
  const sortedB = sortedFiniteCopy(b, 'b');
  const statistic = kolmogorovSmirnovStatistic(sortedA, sortedB);
  return kolmogorovSmirnovTwoSamplePValue({
    statistic,
    sizeA: sortedA.length,
    sizeB: sortedB.length,
    method: options.method ?? 'auto',
  });
}
