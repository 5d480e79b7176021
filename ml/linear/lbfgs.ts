/**
 * Limited-memory BFGS on the full batch, with a strong Wolfe line search.
 *
 * Stopping mirrors SciPy's L-BFGS-B as scikit-learn calls it: the largest absolute gradient
 * component at most `gradientTolerance` (sklearn's `tol`), or a relative loss change at most
 * `lossChangeTolerance` (SciPy's ftol, sklearn passes 64 * machine epsilon), or `maxIterations`.
 * The whole optimizer state is a plain JSON value, so training resumes bit-for-bit from a
 * checkpoint: the same state gives the same next iterates.
 */
import { computeDirection, dot, maxAbs } from './lbfgs-direction.js';
import { strongWolfeLineSearch } from './line-search.js';
import { constrainDirection, type L1Penalty, l1Norm, orthantLineSearch, pseudoGradient } from './owlqn.js';

/** Writes the gradient at `point` into `gradient` and returns the objective value. */
export type Objective = (point: Float64Array, gradient: Float64Array) => number;

export interface LbfgsOptions {
  readonly maxIterations: number;
  readonly gradientTolerance: number;
  readonly lossChangeTolerance: number;
  /** Curvature pairs kept (SciPy's maxcor; 10 as in scikit-learn). */
  readonly historySize: number;
  /** Objective evaluations allowed per line search (SciPy's maxls). */
  readonly maxLineSearchEvaluations: number;
  /** An L1 penalty added to the objective: then the iterations are OWL-QN's (owlqn.ts). */
  readonly l1?: L1Penalty;
}

export const DEFAULT_LBFGS_OPTIONS: LbfgsOptions = {
  maxIterations: 100,
  gradientTolerance: 1e-4,
  lossChangeTolerance: 64 * Number.EPSILON,
  historySize: 10,
  maxLineSearchEvaluations: 50,
};

export interface LbfgsState {
  readonly iteration: number;
  readonly point: number[];
  readonly loss: number;
  /** Loss before the last iteration (null before the first), for the loss-change test. */
  readonly previousLoss: number | null;
  readonly gradient: number[];
  /** Oldest first: steps s = x_{k+1} - x_k and gradient changes y = g_{k+1} - g_k. */
  readonly steps: number[][];
  readonly gradientChanges: number[][];
  readonly evaluations: number;
}

export type StopReason = 'gradient_tolerance' | 'loss_change_tolerance' | 'max_iterations' | 'no_progress';

export interface LbfgsResult {
  readonly point: Float64Array;
  readonly loss: number;
  readonly iterations: number;
  readonly evaluations: number;
  readonly stopReason: StopReason;
}

export interface LbfgsCallbacks {
  /** After every iteration; throw from here to stop (e.g. cancellation). */
  afterIteration?(state: {
    iteration: number;
    loss: number;
    point: Float64Array;
    snapshot: () => LbfgsState;
  }): void;
  resumeFrom?: LbfgsState;
}

export function minimizeLbfgs(
  objective: Objective,
  initialPoint: Float64Array,
  options: LbfgsOptions,
  callbacks: LbfgsCallbacks = {},
): LbfgsResult {
  const dimension = initialPoint.length;
  const l1 = options.l1 !== undefined && options.l1.strength > 0 ? options.l1 : null;
  const point = new Float64Array(dimension);
  const gradient = new Float64Array(dimension);
  // The gradient the search follows: the smooth gradient, or OWL-QN's pseudo-gradient with L1.
  const searchGradient = l1 === null ? gradient : new Float64Array(dimension);
  const direction = new Float64Array(dimension);
  const trialPoint = new Float64Array(dimension);
  const trialGradient = new Float64Array(dimension);
  const alphas = new Float64Array(options.historySize);
  let steps: Float64Array[] = [];
  let gradientChanges: Float64Array[] = [];
  let iteration = 0;
  let evaluations = 0;
  let loss: number;
  let previousLoss: number | null = null;
  /** The full objective at trialPoint (smooth part's gradient into trialGradient). */
  const evaluateTrial = () => {
    evaluations += 1;
    return objective(trialPoint, trialGradient) + (l1 === null ? 0 : l1Norm(trialPoint, l1));
  };
  const resume = callbacks.resumeFrom;
  if (resume) {
    point.set(resume.point);
    gradient.set(resume.gradient);
    loss = resume.loss;
    previousLoss = resume.previousLoss;
    steps = resume.steps.map((step) => Float64Array.from(step));
    gradientChanges = resume.gradientChanges.map((change) => Float64Array.from(change));
    iteration = resume.iteration;
    evaluations = resume.evaluations;
  } else {
    trialPoint.set(initialPoint);
    loss = evaluateTrial();
    point.set(trialPoint);
    gradient.set(trialGradient);
  }
  const snapshot = (): LbfgsState => ({
    iteration,
    point: Array.from(point),
    loss,
    previousLoss,
    gradient: Array.from(gradient),
    steps: steps.map((step) => Array.from(step)),
    gradientChanges: gradientChanges.map((change) => Array.from(change)),
    evaluations,
  });
  const finish = (stopReason: StopReason): LbfgsResult => ({
    point,
    loss,
    iterations: iteration,
    evaluations,
    stopReason,
  });

  for (;;) {
    if (previousLoss !== null) {
      const scale = Math.max(Math.abs(previousLoss), Math.abs(loss), 1);
      if ((previousLoss - loss) / scale <= options.lossChangeTolerance)
        return finish('loss_change_tolerance');
    }
    if (l1 !== null) pseudoGradient(point, gradient, l1, searchGradient);
    if (maxAbs(searchGradient) <= options.gradientTolerance) return finish('gradient_tolerance');
    if (iteration >= options.maxIterations) return finish('max_iterations');
    computeDirection(searchGradient, steps, gradientChanges, alphas, direction);
    if (l1 !== null) constrainDirection(direction, searchGradient, l1);
    let slope = dot(searchGradient, direction);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      steps = [];
      gradientChanges = [];
      for (let index = 0; index < dimension; index += 1) direction[index] = -searchGradient[index];
      slope = dot(searchGradient, direction);
    }
    // Without curvature pairs the direction is the raw negative gradient: start with a unit-length
    // step, as L-BFGS-B does (1 / ||d||, not capped at 1); afterwards the scaled direction makes 1 natural.
    const initialStep = steps.length === 0 ? 1 / Math.sqrt(dot(direction, direction)) : 1;
    const accepted =
      l1 === null
        ? wolfeStep(
            point,
            direction,
            trialPoint,
            trialGradient,
            loss,
            slope,
            initialStep,
            options,
            evaluateTrial,
          )
        : orthantLineSearch(
            point,
            direction,
            searchGradient,
            l1,
            loss,
            initialStep,
            options.maxLineSearchEvaluations,
            trialPoint,
            evaluateTrial,
          );
    if (!accepted.found || !(accepted.value <= loss)) return finish('no_progress');
    const step = new Float64Array(dimension);
    const gradientChange = new Float64Array(dimension);
    for (let index = 0; index < dimension; index += 1) {
      step[index] = trialPoint[index] - point[index];
      gradientChange[index] = trialGradient[index] - gradient[index];
    }
    previousLoss = loss;
    point.set(trialPoint);
    gradient.set(trialGradient);
    loss = accepted.value;
    iteration += 1;
    // Strong Wolfe guarantees s'y > 0 for smooth convex objectives; guard against rounding anyway.
    if (dot(step, gradientChange) > 1e-10 * dot(gradientChange, gradientChange)) {
      steps.push(step);
      gradientChanges.push(gradientChange);
      if (steps.length > options.historySize) {
        steps.shift();
        gradientChanges.shift();
      }
    }
    callbacks.afterIteration?.({ iteration, loss, point, snapshot });
  }
}

/** Strong Wolfe search along `direction`; leaves the accepted point in trialPoint/trialGradient. */
function wolfeStep(
  point: Float64Array,
  direction: Float64Array,
  trialPoint: Float64Array,
  trialGradient: Float64Array,
  loss: number,
  slope: number,
  initialStep: number,
  options: LbfgsOptions,
  evaluateTrial: () => number,
): { found: boolean; value: number } {
  const evaluate = (step: number) => {
    for (let index = 0; index < point.length; index += 1)
      trialPoint[index] = point[index] + step * direction[index];
    const value = evaluateTrial();
    return { value, slope: dot(trialGradient, direction) };
  };
  const search = strongWolfeLineSearch(evaluate, loss, slope, initialStep, options.maxLineSearchEvaluations);
  if (search.found && !search.lastEvaluatedIsResult) evaluate(search.step);
  return { found: search.found && search.step > 0, value: search.value };
}
