/**
 * The pieces that turn L-BFGS into OWL-QN (Andrew & Gao, "Scalable training of L1-regularized
 * log-linear models", 2007) for an added L1 penalty on the first `coordinates` entries:
 * the pseudo-gradient (the steepest-descent direction of the non-smooth objective), a search
 * direction kept in the orthant the pseudo-gradient points into, and a backtracking line search
 * that projects every trial point back onto that orthant, so weights reach exactly zero.
 * The curvature pairs still come from the smooth part's gradients, as in the paper.
 */

export interface L1Penalty {
  /** Objective += strength * sum |x_i| over i < coordinates. */
  readonly strength: number;
  readonly coordinates: number;
}

export function l1Norm(point: Float64Array, penalty: L1Penalty): number {
  let sum = 0;
  for (let index = 0; index < penalty.coordinates; index += 1) sum += Math.abs(point[index]);
  return penalty.strength * sum;
}

/** Writes the pseudo-gradient of smooth + L1 at `point` into `out`. */
export function pseudoGradient(
  point: Float64Array,
  gradient: Float64Array,
  penalty: L1Penalty,
  out: Float64Array,
): void {
  const strength = penalty.strength;
  for (let index = 0; index < point.length; index += 1) {
    const smooth = gradient[index];
    if (index >= penalty.coordinates) out[index] = smooth;
    else if (point[index] > 0) out[index] = smooth + strength;
    else if (point[index] < 0) out[index] = smooth - strength;
    else if (smooth + strength < 0) out[index] = smooth + strength;
    else if (smooth - strength > 0) out[index] = smooth - strength;
    else out[index] = 0;
  }
}

/** Zeroes direction components that do not descend along the pseudo-gradient. */
export function constrainDirection(direction: Float64Array, pseudo: Float64Array, penalty: L1Penalty): void {
  for (let index = 0; index < penalty.coordinates; index += 1) {
    if (direction[index] * pseudo[index] >= 0) direction[index] = 0;
  }
}

/**
 * Backtracking from `initialStep` until the projected trial point decreases the objective enough
 * (Armijo along the pseudo-gradient). `evaluate(trial)` returns the full objective at the trial
 * point written by this function; false when no step within `maxEvaluations` decreases it.
 */
export function orthantLineSearch(
  point: Float64Array,
  direction: Float64Array,
  pseudo: Float64Array,
  penalty: L1Penalty,
  loss: number,
  initialStep: number,
  maxEvaluations: number,
  trial: Float64Array,
  evaluate: () => number,
): { found: boolean; value: number } {
  let step = initialStep;
  for (let evaluation = 0; evaluation < maxEvaluations; evaluation += 1) {
    let decrease = 0;
    for (let index = 0; index < point.length; index += 1) {
      let value = point[index] + step * direction[index];
      if (index < penalty.coordinates) {
        // The orthant: the sign of x_i, or of -pseudo_i where x_i is 0. Crossing it means 0.
        const orthant = point[index] !== 0 ? Math.sign(point[index]) : -Math.sign(pseudo[index]);
        if (value * orthant <= 0) value = 0;
      }
      trial[index] = value;
      decrease += pseudo[index] * (value - point[index]);
    }
    const value = evaluate();
    if (value <= loss + 1e-4 * decrease) return { found: true, value };
    step /= 2;
  }
  return { found: false, value: loss };
}
