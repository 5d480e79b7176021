/** Seeded synthetic columns for the drift tests (mulberry32 + Box–Muller: small and reproducible). */

import type { CategoricalColumn, NumericColumn } from '../../ml/frame/frame.js';
import { seededRandom } from '../../contracts/seeded-random.js';
export { seededRandom };

export function fillNormal(
  target: Float64Array,
  random: () => number,
  mean: number,
  standardDeviation: number,
): Float64Array {
  for (let index = 0; index < target.length; index += 1) {
    const radius = Math.sqrt(-2 * Math.log(1 - random()));
    target[index] = mean + standardDeviation * radius * Math.cos(2 * Math.PI * random());
  }
  return target;
}

export function normalColumn(
  name: string,
  size: number,
  random: () => number,
  mean = 0,
  standardDeviation = 1,
): NumericColumn {
  return {
    kind: 'numeric',
    name,
    values: fillNormal(new Float64Array(size), random, mean, standardDeviation),
    missing: null,
  };
}

export function numericColumn(
  name: string,
  values: ArrayLike<number>,
  missing: Uint8Array | null = null,
): NumericColumn {
  return { kind: 'numeric', name, values: Float64Array.from(values), missing };
}

/** Codes drawn with the given weights over `dictionary`. */
export function categoricalColumn(
  name: string,
  size: number,
  random: () => number,
  dictionary: string[],
  weights: number[],
): CategoricalColumn {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const codes = new Int32Array(size);
  for (let row = 0; row < size; row += 1) {
    let draw = random() * total;
    let code = 0;
    while (code < weights.length - 1 && draw >= weights[code]) {
      draw -= weights[code];
      code += 1;
    }
    codes[row] = code;
  }
  return { kind: 'categorical', name, codes, dictionary };
}
