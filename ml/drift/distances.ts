/**
 * Distances between two distributions, on counts or on raw samples:
 * - population stability index over shared bins,
 * - Jensen–Shannon distance (SciPy's `scipy.spatial.distance.jensenshannon`),
 * - first Wasserstein distance (SciPy's `scipy.stats.wasserstein_distance`, optional weights).
 */

import { DriftInputError } from './errors.js';

/** Proportion that stands in for an empty bin in PSI, so ln(a / e) stays finite. */
export const PSI_EMPTY_BIN_PROPORTION = 1e-4;

function checkCounts(counts: ArrayLike<number>, label: string): number {
  let total = 0;
  for (let index = 0; index < counts.length; index += 1) {
    const count = counts[index];
    if (!Number.isFinite(count) || count < 0) {
      throw new DriftInputError(`${label}[${index}] must be a finite count >= 0, got ${count}`);
    }
    total += count;
  }
  if (total === 0) throw new DriftInputError(`${label} holds no observations (all counts are 0)`);
  return total;
}

/**
 * PSI = Σ (a_i - e_i) · ln(a_i / e_i) over bins, where e_i and a_i are the expected (reference)
 * and actual (window) proportions. A proportion of exactly 0 is replaced by `epsilon` (default
 * 1e-4, without renormalizing), the common convention that keeps one empty bin from making PSI
 * infinite while still charging it heavily: 5% of the window in a bin the reference never saw
 * adds about 0.05 · ln(500) ≈ 0.31.
 */
export function populationStabilityIndex(
  expectedCounts: ArrayLike<number>,
  actualCounts: ArrayLike<number>,
  options: { epsilon?: number } = {},
): number {
  if (expectedCounts.length !== actualCounts.length) {
    throw new DriftInputError(
      `PSI needs the same bins on both sides, got ${expectedCounts.length} and ${actualCounts.length}`,
    );
  }
  const epsilon = options.epsilon ?? PSI_EMPTY_BIN_PROPORTION;
  const expectedTotal = checkCounts(expectedCounts, 'expected counts');
  const actualTotal = checkCounts(actualCounts, 'actual counts');
  let sum = 0;
  for (let index = 0; index < expectedCounts.length; index += 1) {
    const expected = expectedCounts[index] / expectedTotal || epsilon;
    const actual = actualCounts[index] / actualTotal || epsilon;
    sum += (actual - expected) * Math.log(actual / expected);
  }
  return sum;
}

/** x · ln(x / y) with SciPy's `rel_entr` conventions (0 when x = 0). */
function relativeEntropyTerm(x: number, y: number): number {
  if (x === 0) return 0;
  return x * Math.log(x / y);
}

/**
 * Jensen–Shannon distance between two count (or probability) vectors, both normalized first:
 * sqrt((KL(p‖m) + KL(q‖m)) / 2 / ln(base)) with m = (p + q) / 2. Base 2 (the default) bounds it
 * to [0, 1]. Rounding can make the divergence a hair below 0 for identical inputs; we return 0
 * there where SciPy would return NaN.
 */
export function jensenShannonDistance(
  p: ArrayLike<number>,
  q: ArrayLike<number>,
  options: { base?: number } = {},
): number {
  if (p.length !== q.length) {
    throw new DriftInputError(
      `Jensen–Shannon needs vectors of equal length, got ${p.length} and ${q.length}`,
    );
  }
  const pTotal = checkCounts(p, 'p');
  const qTotal = checkCounts(q, 'q');
  let left = 0;
  let right = 0;
  for (let index = 0; index < p.length; index += 1) {
    const pShare = p[index] / pTotal;
    const qShare = q[index] / qTotal;
    const middle = (pShare + qShare) / 2;
    left += relativeEntropyTerm(pShare, middle);
    right += relativeEntropyTerm(qShare, middle);
  }
  const divergence = (left + right) / Math.log(options.base ?? 2);
  return Math.sqrt(Math.max(0, divergence / 2));
}

function sortedOrder(values: ArrayLike<number>, label: string): Int32Array {
  for (let index = 0; index < values.length; index += 1) {
    if (!Number.isFinite(values[index])) {
      throw new DriftInputError(
        `Wasserstein: ${label}[${index}] is ${values[index]}; drop missing values first`,
      );
    }
  }
  const order = Int32Array.from({ length: values.length }, (_, index) => index);
  return order.sort((left, right) => values[left] - values[right]);
}

function totalWeight(weights: ArrayLike<number> | undefined, size: number, label: string): number {
  if (!weights) return size;
  if (weights.length !== size)
    throw new DriftInputError(`Wasserstein: ${label} has ${weights.length} weights for ${size} values`);
  return checkCounts(weights, label);
}

/**
 * First Wasserstein (earth mover's) distance between two 1-D samples: ∫ |F_a(x) - F_b(x)| dx over
 * their empirical CDFs, each value weighted by 1 or by its weight.
 */
export function wassersteinDistance(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  options: { weightsA?: ArrayLike<number>; weightsB?: ArrayLike<number> } = {},
): number {
  if (a.length === 0 || b.length === 0) {
    throw new DriftInputError(
      `Wasserstein needs two non-empty samples, got sizes ${a.length} and ${b.length}`,
    );
  }
  const orderA = sortedOrder(a, 'a');
  const orderB = sortedOrder(b, 'b');
  const totalA = totalWeight(options.weightsA, a.length, 'weightsA');
  const totalB = totalWeight(options.weightsB, b.length, 'weightsB');
  const weightA = options.weightsA;
  const weightB = options.weightsB;
  let indexA = 0;
  let indexB = 0;
  let cumulativeA = 0;
  let cumulativeB = 0;
  let previous = Math.min(a[orderA[0]], b[orderB[0]]);
  let distance = 0;
  while (indexA < a.length || indexB < b.length) {
    const nextA = indexA < a.length ? a[orderA[indexA]] : Infinity;
    const nextB = indexB < b.length ? b[orderB[indexB]] : Infinity;
    const value = Math.min(nextA, nextB);
    distance += Math.abs(cumulativeA / totalA - cumulativeB / totalB) * (value - previous);
    while (indexA < a.length && a[orderA[indexA]] === value) {
      cumulativeA += weightA ? weightA[orderA[indexA]] : 1;
      indexA += 1;
    }
    while (indexB < b.length && b[orderB[indexB]] === value) {
      cumulativeB += weightB ? weightB[orderB[indexB]] : 1;
      indexB += 1;
    }
    previous = value;
  }
  return distance;
}
