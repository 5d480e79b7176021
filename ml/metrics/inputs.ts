/** Shared checks on classification inputs: class indices and row-major probability matrices. */

import { MetricsInputError } from './errors.js';

// Probability rows may come from float32 models; a looser sum check would let logits through.
const ROW_SUM_TOLERANCE = 1e-5;

export function checkClassCount(classCount: number): void {
  if (!Number.isInteger(classCount) || classCount < 2) {
    throw new MetricsInputError(`classCount must be an integer >= 2, got ${classCount}`);
  }
}

/** Class indices in [0, classCount); returns the row count. */
export function checkClassIndices(values: ArrayLike<number>, classCount: number, label: string): number {
  for (let row = 0; row < values.length; row += 1) {
    const value = values[row];
    if (!Number.isInteger(value) || value < 0 || value >= classCount) {
      throw new MetricsInputError(
        `${label}[${row}] is ${value}; expected a class index from 0 to ${classCount - 1} (encode labels first)`,
      );
    }
  }
  return values.length;
}

/** A row-major rowCount x classCount matrix of probabilities in [0, 1] whose rows sum to 1. */
export function checkProbabilities(
  probabilities: ArrayLike<number>,
  rowCount: number,
  classCount: number,
): void {
  if (probabilities.length !== rowCount * classCount) {
    throw new MetricsInputError(
      `probabilities has ${probabilities.length} values; expected rows x classes = ${rowCount} x ${classCount}`,
    );
  }
  for (let row = 0; row < rowCount; row += 1) {
    let sum = 0;
    for (let column = 0; column < classCount; column += 1) {
      const probability = probabilities[row * classCount + column];
      if (!(probability >= 0 && probability <= 1)) {
        throw new MetricsInputError(
          `probability [row ${row}, class ${column}] is ${probability}; expected [0, 1]`,
        );
      }
      sum += probability;
    }
    if (Math.abs(sum - 1) > ROW_SUM_TOLERANCE) {
      throw new MetricsInputError(
        `probabilities of row ${row} sum to ${sum}, not 1; pass probabilities, not scores`,
      );
    }
  }
}

/** Predicted class = argmax of each row; the first maximum wins ties, as numpy.argmax. */
export function argmaxRows(
  probabilities: ArrayLike<number>,
  rowCount: number,
  classCount: number,
): Int32Array {
  const predicted = new Int32Array(rowCount);
  for (let row = 0; row < rowCount; row += 1) {
    const offset = row * classCount;
    let best = 0;
    for (let column = 1; column < classCount; column += 1) {
      if (probabilities[offset + column] > probabilities[offset + best]) best = column;
    }
    predicted[row] = best;
  }
  return predicted;
}

export function resolveClassLabels(classLabels: readonly string[] | undefined, classCount: number): string[] {
  if (!classLabels) return Array.from({ length: classCount }, (_, index) => String(index));
  if (classLabels.length !== classCount) {
    throw new MetricsInputError(`classLabels has ${classLabels.length} entries for ${classCount} classes`);
  }
  return [...classLabels];
}
