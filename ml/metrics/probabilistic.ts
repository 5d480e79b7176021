/** Metrics on predicted probabilities: log loss and Brier score, as scikit-learn defines them. */

const EPSILON = 2 ** -52;

/**
 * Mean of -ln p(actual class), each probability first clipped to [ε, 1 - ε] with ε the double
 * machine epsilon (scikit-learn's `log_loss`), so a confident mistake costs about 36, not ∞.
 */
export function logLoss(
  actual: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  classCount: number,
): number {
  let total = 0;
  for (let row = 0; row < actual.length; row += 1) {
    const probability = probabilities[row * classCount + actual[row]];
    total -= Math.log(Math.min(Math.max(probability, EPSILON), 1 - EPSILON));
  }
  return total / actual.length;
}

/**
 * Brier score, following scikit-learn's `brier_score_loss`:
 * - two classes: mean of (p(class 1) - [actual = 1])², in [0, 1];
 * - more classes: mean over rows of Σ_c (p(c) - [actual = c])², in [0, 2].
 */
export function brierScore(
  actual: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  classCount: number,
): number {
  let total = 0;
  for (let row = 0; row < actual.length; row += 1) {
    if (classCount === 2) {
      const error = probabilities[row * 2 + 1] - (actual[row] === 1 ? 1 : 0);
      total += error * error;
      continue;
    }
    for (let column = 0; column < classCount; column += 1) {
      const error = probabilities[row * classCount + column] - (actual[row] === column ? 1 : 0);
      total += error * error;
    }
  }
  return total / actual.length;
}
