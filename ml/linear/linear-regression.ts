/**
 * Linear regression: ordinary least squares (l2 = 0) and ridge (l2 > 0).
 *
 * Objective: sum_i s_i (y_i - x_i'w - b)^2 / (2 sum_i s_i) + (l2 / 2) ||w||^2, intercept unpenalized;
 * scikit-learn's Ridge(alpha) is l2 = alpha / sum_i s_i (alpha / n without sample weights), and
 * LinearRegression is l2 = 0 (minimum-norm solution when columns are redundant, as lstsq).
 * Solver 'cholesky' solves the normal equations exactly; 'lbfgs' iterates, for designs with many
 * category weights; 'auto' picks the normal equations up to MAX_CLOSED_FORM_WEIGHTS weights.
 */
import type { TrainerHooks } from '../training.js';
import { type LinearDesign, totalSampleWeight } from './design.js';
import { DEFAULT_LBFGS_OPTIONS } from './lbfgs.js';
import { type LinearCheckpoint, runLbfgsTraining } from './lbfgs-training.js';
import { type LinearFit, unpackPoint } from './linear-model.js';
import { solveLeastSquares } from './normal-equations.js';
import { SquaredErrorObjective } from './squared-objective.js';

/** Beyond this the d x d normal matrix (d^2 doubles, d^3 / 3 flops to factor) costs more than iterating. */
export const MAX_CLOSED_FORM_WEIGHTS = 2000;

export type LinearRegressionSolver = 'auto' | 'cholesky' | 'lbfgs';

export interface LinearRegressionTrainingInput {
  readonly design: LinearDesign;
  readonly target: Float64Array;
  readonly sampleWeights: Float64Array | null;
  readonly l2: number;
  readonly solver: LinearRegressionSolver;
  readonly maxIterations: number;
  readonly tolerance: number;
  readonly validation?: { readonly design: LinearDesign; readonly target: Float64Array };
}

export function fitLinearRegression(
  input: LinearRegressionTrainingInput,
  hooks: TrainerHooks<LinearCheckpoint>,
): LinearFit {
  const weightCount = input.design.layout.weightCount;
  const closedForm =
    input.solver === 'cholesky' || (input.solver === 'auto' && weightCount <= MAX_CLOSED_FORM_WEIGHTS);
  const validationObjective =
    input.validation && new SquaredErrorObjective(input.validation.design, input.validation.target, null, 0);
  const validate = validationObjective
    ? (point: Float64Array) => ({
        name: 'rmse',
        value: Math.sqrt(2 * validationObjective.evaluate(point, new Float64Array(point.length))),
      })
    : undefined;
  if (closedForm) {
    const totalWeight = totalSampleWeight(input.sampleWeights, input.design.rowCount);
    const solved = solveLeastSquares(input.design, input.target, input.sampleWeights, input.l2 * totalWeight);
    const point = new Float64Array(weightCount + 1);
    point.set(solved.weights);
    point[weightCount] = solved.intercept;
    const loss = new SquaredErrorObjective(
      input.design,
      input.target,
      input.sampleWeights,
      input.l2,
    ).evaluate(point, new Float64Array(point.length));
    const metric = validate?.(point);
    hooks.onProgress?.(
      metric
        ? { iteration: 1, loss, validationMetric: metric.value, validationMetricName: metric.name }
        : { iteration: 1, loss },
    );
    return { learned: unpackPoint(point, 1, weightCount), iterations: 1, loss, stopReason: 'closed_form' };
  }
  // Iterate on the standardized target so the tolerance means the same whatever the target's
  // units; the minimizer scales back exactly (w = deviation * w~, b = deviation * b~ + mean).
  const { mean, deviation } = weightedMoments(input.target, input.sampleWeights);
  const standardized = input.target.map((value) => (value - mean) / deviation);
  const objective = new SquaredErrorObjective(input.design, standardized, input.sampleWeights, input.l2);
  const toOriginalUnits = (point: Float64Array) => {
    const original = point.map((value) => value * deviation);
    original[weightCount] += mean;
    return original;
  };
  const result = runLbfgsTraining({
    trainer: 'linear_regression',
    objective: objective.evaluate,
    dimension: objective.dimension,
    rowCount: input.design.rowCount,
    options: {
      ...DEFAULT_LBFGS_OPTIONS,
      maxIterations: input.maxIterations,
      gradientTolerance: input.tolerance,
    },
    hooks,
    validate: validate && ((point) => validate(toOriginalUnits(point))),
  });
  return {
    learned: unpackPoint(toOriginalUnits(result.point), 1, weightCount),
    iterations: result.iterations,
    loss: result.loss * deviation * deviation,
    stopReason: result.stopReason,
  };
}

function weightedMoments(
  values: Float64Array,
  weights: Float64Array | null,
): { mean: number; deviation: number } {
  let weightSum = 0;
  let sum = 0;
  for (let row = 0; row < values.length; row += 1) {
    const weight = weights === null ? 1 : weights[row];
    weightSum += weight;
    sum += weight * values[row];
  }
  const mean = sum / weightSum;
  let squares = 0;
  for (let row = 0; row < values.length; row += 1) {
    const weight = weights === null ? 1 : weights[row];
    squares += weight * (values[row] - mean) * (values[row] - mean);
  }
  const deviation = Math.sqrt(squares / weightSum);
  return { mean, deviation: deviation > 0 ? deviation : 1 };
}
