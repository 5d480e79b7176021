/** The L-BFGS search direction and the small vector helpers the optimizer shares. */

/** Two-loop recursion: direction = -H g with the initial Hessian scaled by s'y / y'y. */
export function computeDirection(
  gradient: Float64Array,
  steps: Float64Array[],
  gradientChanges: Float64Array[],
  alphas: Float64Array,
  direction: Float64Array,
): void {
  const dimension = gradient.length;
  for (let index = 0; index < dimension; index += 1) direction[index] = -gradient[index];
  for (let pair = steps.length - 1; pair >= 0; pair -= 1) {
    const alpha = dot(steps[pair], direction) / dot(steps[pair], gradientChanges[pair]);
    alphas[pair] = alpha;
    axpy(-alpha, gradientChanges[pair], direction);
  }
  if (steps.length > 0) {
    const last = steps.length - 1;
    const scale = dot(steps[last], gradientChanges[last]) / dot(gradientChanges[last], gradientChanges[last]);
    for (let index = 0; index < dimension; index += 1) direction[index] *= scale;
  }
  for (let pair = 0; pair < steps.length; pair += 1) {
    const beta = dot(gradientChanges[pair], direction) / dot(steps[pair], gradientChanges[pair]);
    axpy(alphas[pair] - beta, steps[pair], direction);
  }
}

export function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let index = 0; index < a.length; index += 1) sum += a[index] * b[index];
  return sum;
}

function axpy(scale: number, source: Float64Array, target: Float64Array): void {
  for (let index = 0; index < source.length; index += 1) target[index] += scale * source[index];
}

export function maxAbs(values: Float64Array): number {
  let largest = 0;
  for (let index = 0; index < values.length; index += 1) {
    const magnitude = Math.abs(values[index]);
    if (magnitude > largest || magnitude !== magnitude) largest = magnitude;
  }
  return largest;
}
