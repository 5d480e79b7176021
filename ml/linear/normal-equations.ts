/**
 * Closed-form (ridge) least squares through the centred normal equations:
 *   (Xc' S Xc + alpha I) w = Xc' S (y - mean y),   intercept = mean y - mean x' w
 * with S the sample weights and Xc the design centred by its weighted column means, so the
 * intercept is not penalized (scikit-learn's Ridge and LinearRegression with fit_intercept).
 * The design's categorical part is a sparse one-hot: each row adds about (p + q)^2 / 2 products to X'SX.
 */
import type { LinearDesign } from './design.js';
import { solveSymmetricMinimumNorm } from './cholesky.js';

export interface LeastSquaresSolution {
  readonly weights: Float64Array;
  readonly intercept: number;
  readonly rank: number;
}

export function solveLeastSquares(
  design: LinearDesign,
  target: Float64Array,
  sampleWeights: Float64Array | null,
  /** Penalty on the sum of squares, as in Ridge(alpha): alpha = l2 * sum of sample weights. */
  alpha: number,
): LeastSquaresSolution {
  const { dense, codes, layout, rowCount } = design;
  const { denseWidth, categoricalWidth, weightCount: size } = layout;
  const gram = new Float64Array(size * size);
  const crossProduct = new Float64Array(size);
  const columnSums = new Float64Array(size);
  let weightSum = 0;
  let targetSum = 0;
  for (let row = 0; row < rowCount; row += 1) {
    const weight = sampleWeights === null ? 1 : sampleWeights[row];
    const value = target[row];
    weightSum += weight;
    targetSum += weight * value;
    for (let first = 0; first < denseWidth; first += 1) {
      const scaled = weight * dense[first][row];
      columnSums[first] += scaled;
      crossProduct[first] += scaled * value;
      for (let second = 0; second <= first; second += 1)
        gram[first * size + second] += scaled * dense[second][row];
    }
    for (let first = 0; first < categoricalWidth; first += 1) {
      const code = codes[first][row];
      columnSums[code] += weight;
      crossProduct[code] += weight * value;
      for (let second = 0; second < denseWidth; second += 1)
        gram[code * size + second] += weight * dense[second][row];
      for (let second = 0; second <= first; second += 1) {
        const other = codes[second][row];
        // Codes of different features never coincide; keep the lower triangle (row >= column).
        if (other <= code) gram[code * size + other] += weight;
        else gram[other * size + code] += weight;
      }
    }
  }
  const means = columnSums.map((sum) => sum / weightSum);
  const targetMean = targetSum / weightSum;
  for (let first = 0; first < size; first += 1) {
    crossProduct[first] -= weightSum * means[first] * targetMean;
    for (let second = 0; second <= first; second += 1) {
      const centred = gram[first * size + second] - weightSum * means[first] * means[second];
      gram[first * size + second] = centred;
      gram[second * size + first] = centred;
    }
    gram[first * size + first] += alpha;
  }
  const { solution, rank } = solveSymmetricMinimumNorm(gram, crossProduct);
  let intercept = targetMean;
  for (let index = 0; index < size; index += 1) intercept -= means[index] * solution[index];
  return { weights: solution, intercept, rank };
}
