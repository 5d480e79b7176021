/**
 * Penalized squared error for linear regression by L-BFGS (many categories, where the normal
 * equations would be too large):
 *   objective(w, b) = sum_i s_i (y_i - x_i'w - b)^2 / (2 sum_i s_i) + (l2 / 2) ||w||^2
 * Point layout: weights, then the intercept. Same block-summed passes as the logistic loss.
 */
import { type LinearDesign, totalSampleWeight } from './design.js';
import { BLOCK_ROWS } from './logistic-kernels.js';

export class SquaredErrorObjective {
  readonly dimension: number;
  private readonly blockGradient: Float64Array;
  private readonly residuals = new Float64Array(BLOCK_ROWS);
  private readonly weightSum: number;

  constructor(
    private readonly design: LinearDesign,
    private readonly target: Float64Array,
    private readonly sampleWeights: Float64Array | null,
    private readonly l2: number,
  ) {
    this.dimension = design.layout.weightCount + 1;
    this.blockGradient = new Float64Array(this.dimension);
    this.weightSum = totalSampleWeight(sampleWeights, design.rowCount);
  }

  readonly evaluate = (point: Float64Array, gradient: Float64Array): number => {
    gradient.fill(0);
    let loss = 0;
    for (let start = 0; start < this.design.rowCount; start += BLOCK_ROWS) {
      this.blockGradient.fill(0);
      loss += this.block(
        point,
        this.blockGradient,
        start,
        Math.min(start + BLOCK_ROWS, this.design.rowCount),
      );
      for (let index = 0; index < gradient.length; index += 1) gradient[index] += this.blockGradient[index];
    }
    const weightCount = this.design.layout.weightCount;
    const inverseWeightSum = 1 / this.weightSum;
    let squaredNorm = 0;
    for (let index = 0; index < weightCount; index += 1) {
      squaredNorm += point[index] * point[index];
      gradient[index] = gradient[index] * inverseWeightSum + this.l2 * point[index];
    }
    gradient[weightCount] *= inverseWeightSum;
    return 0.5 * loss * inverseWeightSum + 0.5 * this.l2 * squaredNorm;
  };

  private block(point: Float64Array, gradient: Float64Array, start: number, end: number): number {
    const { dense, codes, layout } = this.design;
    const weightCount = layout.weightCount;
    const target = this.target;
    const sampleWeights = this.sampleWeights;
    const residuals = this.residuals;
    const length = end - start;
    residuals.fill(point[weightCount], 0, length);
    for (let column = 0; column < dense.length; column += 1) {
      const values = dense[column];
      const weight = point[column];
      for (let row = 0; row < length; row += 1) residuals[row] += values[start + row] * weight;
    }
    for (let column = 0; column < codes.length; column += 1) {
      const indices = codes[column];
      for (let row = 0; row < length; row += 1) residuals[row] += point[indices[start + row]];
    }
    let loss = 0;
    let interceptGradient = 0;
    for (let row = 0; row < length; row += 1) {
      const sampleWeight = sampleWeights === null ? 1 : sampleWeights[start + row];
      const error = residuals[row] - target[start + row];
      loss += sampleWeight * error * error;
      residuals[row] = sampleWeight * error;
      interceptGradient += residuals[row];
    }
    gradient[weightCount] += interceptGradient;
    for (let column = 0; column < dense.length; column += 1) {
      const values = dense[column];
      let sum = 0;
      for (let row = 0; row < length; row += 1) sum += residuals[row] * values[start + row];
      gradient[column] += sum;
    }
    for (let column = 0; column < codes.length; column += 1) {
      const indices = codes[column];
      for (let row = 0; row < length; row += 1) gradient[indices[start + row]] += residuals[row];
    }
    return loss;
  }
}
