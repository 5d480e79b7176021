/**
 * From raw scores (margins) to predictions, shared by row-wise and column-wise scoring so both give
 * identical numbers. Scores are made finite first: a validated document keeps them finite for any
 * input, and this last guard makes a NaN or infinite prediction impossible even so.
 */
import type { TaskType } from './document.js';

const LARGEST_SCORE = 1e300;

function finiteScore(score: number): number {
  if (score !== score) return 0;
  return score > LARGEST_SCORE ? LARGEST_SCORE : score < -LARGEST_SCORE ? -LARGEST_SCORE : score;
}

/**
 * Writes class probabilities (classification) from `scores[scoreOffset ...]` into
 * `probabilities[probabilityOffset ...]`; returns the predicted class index, or the value for
 * regression. Ties go to the lower class index (a probability of exactly 0.5 predicts classes[0]).
 */
export function applyLink(
  task: TaskType,
  scores: Float64Array,
  scoreOffset: number,
  probabilities: Float64Array,
  probabilityOffset: number,
  classCount: number,
): number {
  if (task === 'regression') return finiteScore(scores[scoreOffset]);
  if (task === 'binary') {
    const score = finiteScore(scores[scoreOffset]);
    const positive = score >= 0 ? 1 / (1 + Math.exp(-score)) : Math.exp(score) / (1 + Math.exp(score));
    probabilities[probabilityOffset] = 1 - positive;
    probabilities[probabilityOffset + 1] = positive;
    return positive > 0.5 ? 1 : 0;
  }
  let largest = -Infinity;
  let best = 0;
  for (let index = 0; index < classCount; index += 1) {
    const score = finiteScore(scores[scoreOffset + index]);
    if (score > largest) {
      largest = score;
      best = index;
    }
  }
  let sum = 0;
  for (let index = 0; index < classCount; index += 1) {
    const shifted = Math.exp(finiteScore(scores[scoreOffset + index]) - largest);
    probabilities[probabilityOffset + index] = shifted;
    sum += shifted;
  }
  for (let index = 0; index < classCount; index += 1) probabilities[probabilityOffset + index] /= sum;
  return best;
}
