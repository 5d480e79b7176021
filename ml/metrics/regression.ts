/** Regression metrics as scikit-learn computes them: RMSE, MAE and R². */

import { MetricsInputError } from './errors.js';

export interface RegressionMetrics {
  readonly rowCount: number;
  readonly rmse: number;
  readonly mae: number;
  /**
   * 1 - Σ(y - ŷ)² / Σ(y - ȳ)². When actual is constant (Σ(y - ȳ)² = 0), scikit-learn's
   * force_finite rule applies: 1 for a perfect prediction, 0 otherwise, never NaN or -∞.
   */
  readonly r2: number;
}

export function computeRegressionMetrics(input: {
  readonly actual: ArrayLike<number>;
  readonly predicted: ArrayLike<number>;
}): RegressionMetrics {
  const { actual, predicted } = input;
  if (actual.length !== predicted.length) {
    throw new MetricsInputError(`actual has ${actual.length} rows but predicted has ${predicted.length}`);
  }
  const rowCount = actual.length;
  if (rowCount === 0) throw new MetricsInputError('no rows to evaluate: actual is empty');
  let actualSum = 0;
  for (let row = 0; row < rowCount; row += 1) {
    if (!Number.isFinite(actual[row]) || !Number.isFinite(predicted[row])) {
      throw new MetricsInputError(
        `row ${row} has actual ${actual[row]} and predicted ${predicted[row]}; both must be finite (drop missing targets first)`,
      );
    }
    actualSum += actual[row];
  }
  const actualMean = actualSum / rowCount;
  let squaredErrors = 0;
  let absoluteErrors = 0;
  let totalSquares = 0;
  for (let row = 0; row < rowCount; row += 1) {
    const error = actual[row] - predicted[row];
    squaredErrors += error * error;
    absoluteErrors += Math.abs(error);
    totalSquares += (actual[row] - actualMean) ** 2;
  }
  const r2 = totalSquares === 0 ? (squaredErrors === 0 ? 1 : 0) : 1 - squaredErrors / totalSquares;
  return { rowCount, rmse: Math.sqrt(squaredErrors / rowCount), mae: absoluteErrors / rowCount, r2 };
}
