/**
 * Line search for L-BFGS satisfying the strong Wolfe conditions (Nocedal & Wright, Numerical
 * Optimization, algorithms 3.5 and 3.6: bracketing, then zoom with safeguarded cubic interpolation).
 * Strong Wolfe keeps every accepted step's curvature pair positive (s'y > 0), which is what keeps
 * the L-BFGS inverse-Hessian estimate positive definite.
 */

export interface LineSearchPoint {
  /** Objective value at x + step * direction. */
  value: number;
  /** Directional derivative there: gradient' direction. */
  slope: number;
}

export interface LineSearchResult {
  step: number;
  value: number;
  /** False when no step met the conditions within the evaluation budget. */
  found: boolean;
  /** Whether the last evaluation was at `step` (so the caller's trial gradient belongs to it). */
  lastEvaluatedIsResult: boolean;
}

const SUFFICIENT_DECREASE = 1e-4;
const CURVATURE = 0.9;
const EXPANSION = 2;

export function strongWolfeLineSearch(
  evaluate: (step: number) => LineSearchPoint,
  value0: number,
  slope0: number,
  initialStep: number,
  maxEvaluations: number,
): LineSearchResult {
  let previousStep = 0;
  let previous: LineSearchPoint = { value: value0, slope: slope0 };
  let step = initialStep;
  for (let evaluation = 1; evaluation <= maxEvaluations; evaluation += 1) {
    const current = evaluate(step);
    const decreaseBound = value0 + SUFFICIENT_DECREASE * step * slope0;
    if (
      !Number.isFinite(current.value) ||
      current.value > decreaseBound ||
      (evaluation > 1 && current.value >= previous.value)
    ) {
      return zoom(
        evaluate,
        value0,
        slope0,
        previousStep,
        previous,
        step,
        current,
        maxEvaluations - evaluation,
      );
    }
    if (Math.abs(current.slope) <= -CURVATURE * slope0) {
      return { step, value: current.value, found: true, lastEvaluatedIsResult: true };
    }
    if (current.slope >= 0) {
      return zoom(
        evaluate,
        value0,
        slope0,
        step,
        current,
        previousStep,
        previous,
        maxEvaluations - evaluation,
      );
    }
    previousStep = step;
    previous = current;
    step *= EXPANSION;
  }
  return { step: previousStep, value: previous.value, found: false, lastEvaluatedIsResult: true };
}

/** Narrows [low, high] (low: the end with the lower value that meets sufficient decrease). */
function zoom(
  evaluate: (step: number) => LineSearchPoint,
  value0: number,
  slope0: number,
  lowStep: number,
  low: LineSearchPoint,
  highStep: number,
  high: LineSearchPoint,
  evaluationsLeft: number,
): LineSearchResult {
  for (let evaluation = 0; evaluation < evaluationsLeft; evaluation += 1) {
    const step = interpolate(lowStep, low, highStep, high);
    const current = evaluate(step);
    if (
      !Number.isFinite(current.value) ||
      current.value > value0 + SUFFICIENT_DECREASE * step * slope0 ||
      current.value >= low.value
    ) {
      highStep = step;
      high = current;
    } else {
      if (Math.abs(current.slope) <= -CURVATURE * slope0) {
        return { step, value: current.value, found: true, lastEvaluatedIsResult: true };
      }
      if (current.slope * (highStep - lowStep) >= 0) {
        highStep = lowStep;
        high = low;
      }
      lowStep = step;
      low = current;
    }
    if (Math.abs(highStep - lowStep) <= 1e-16 * Math.max(1, Math.abs(lowStep))) break;
  }
  // Out of budget: the best point seen still decreases the objective, so take it (the caller
  // re-evaluates it when it was not the last point evaluated).
  return { step: lowStep, value: low.value, found: lowStep > 0, lastEvaluatedIsResult: false };
}

/** Minimizer of the cubic through both ends, kept inside the interval and away from its ends. */
function interpolate(stepA: number, pointA: LineSearchPoint, stepB: number, pointB: LineSearchPoint): number {
  const lower = Math.min(stepA, stepB);
  const width = Math.abs(stepB - stepA);
  const bisection = (stepA + stepB) / 2;
  if (!Number.isFinite(pointB.value) || !Number.isFinite(pointB.slope)) return bisection;
  const d1 = pointA.slope + pointB.slope - (3 * (pointA.value - pointB.value)) / (stepA - stepB);
  const discriminant = d1 * d1 - pointA.slope * pointB.slope;
  if (discriminant < 0) return bisection;
  const d2 = Math.sign(stepB - stepA) * Math.sqrt(discriminant);
  const candidate =
    stepB - ((stepB - stepA) * (pointB.slope + d2 - d1)) / (pointB.slope - pointA.slope + 2 * d2);
  const margin = 0.1 * width;
  if (!Number.isFinite(candidate) || candidate < lower + margin || candidate > lower + width - margin)
    return bisection;
  return candidate;
}
