/** What the linear trainers produce: weights per output, stored as plain JSON in model documents. */
import type { StopReason } from './lbfgs.js';

export interface LinearLearned {
  readonly kind: 'linear';
  /** One intercept per output: 1 for binary (log-odds of the second class) and regression, k for k classes. */
  readonly intercepts: number[];
  /** Per output, one weight per design column (layout in design.ts). */
  readonly coefficients: number[][];
}

export interface LinearFit {
  readonly learned: LinearLearned;
  readonly iterations: number;
  readonly loss: number;
  readonly stopReason: StopReason | 'closed_form';
}

/** Splits an optimizer point (per-output weights, then intercepts) into learned parameters. */
export function unpackPoint(point: Float64Array, outputs: number, weightCount: number): LinearLearned {
  const coefficients: number[][] = [];
  const intercepts: number[] = [];
  for (let output = 0; output < outputs; output += 1) {
    coefficients.push(Array.from(point.subarray(output * weightCount, (output + 1) * weightCount)));
    intercepts.push(point[outputs * weightCount + output]);
  }
  return { kind: 'linear', intercepts, coefficients };
}
