/**
 * Base scores and loss values over raw scores (margins); gradients are computed per block in
 * row-kernels.ts. Scores are laid out class-major: output k of row i sits at k * rowCount + i.
 */
import type { GradientBoostingLoss } from './types.js';

/** Keeps class priors away from 0 and 1 so base scores stay finite (as scikit-learn does). */
const PROBABILITY_FLOOR = 1e-15;

export function computeBaseScores(
  loss: GradientBoostingLoss,
  classCount: number,
  target: Float64Array,
  weights: Float64Array | undefined,
): number[] {
  let weightSum = 0;
  if (loss === 'squared_error') {
    let weightedSum = 0;
    for (let row = 0; row < target.length; row++) {
      const weight = weights ? weights[row] : 1;
      weightSum += weight;
      weightedSum += weight * target[row];
    }
    return [weightedSum / weightSum];
  }
  const classWeights = new Float64Array(classCount);
  for (let row = 0; row < target.length; row++) {
    const weight = weights ? weights[row] : 1;
    classWeights[target[row]] += weight;
    weightSum += weight;
  }
  const priors = Array.from(classWeights, (value) =>
    Math.min(Math.max(value / weightSum, PROBABILITY_FLOOR), 1 - PROBABILITY_FLOOR),
  );
  if (loss === 'binary_logloss') return [Math.log(priors[1] / (1 - priors[1]))];
  return priors.map((prior) => Math.log(prior));
}

/** Weighted mean loss: log loss for classification, mean squared error for regression. */
export function computeLoss(
  loss: GradientBoostingLoss,
  classCount: number,
  target: Float64Array,
  weights: Float64Array | undefined,
  scores: Float64Array,
): number {
  const rowCount = target.length;
  let lossSum = 0;
  let weightSum = 0;
  for (let row = 0; row < rowCount; row++) {
    const weight = weights ? weights[row] : 1;
    const label = target[row];
    let rowLoss: number;
    if (loss === 'binary_logloss') rowLoss = softplus(label === 1 ? -scores[row] : scores[row]);
    else if (loss === 'squared_error') rowLoss = (scores[row] - label) ** 2;
    else rowLoss = logSumExp(scores, row, rowCount, classCount) - scores[label * rowCount + row];
    lossSum += weight * rowLoss;
    weightSum += weight;
  }
  return lossSum / weightSum;
}

/** log(1 + e^x) without overflow. */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

function logSumExp(scores: Float64Array, row: number, rowCount: number, classCount: number): number {
  let maximum = -Infinity;
  for (let k = 0; k < classCount; k++) maximum = Math.max(maximum, scores[k * rowCount + row]);
  let sum = 0;
  for (let k = 0; k < classCount; k++) sum += Math.exp(scores[k * rowCount + row] - maximum);
  return maximum + Math.log(sum);
}
