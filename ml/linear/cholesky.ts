/**
 * Solving symmetric positive semi-definite systems G w = r (normal equations) by Cholesky with
 * diagonal pivoting, returning the minimum-norm solution when G is singular. Singular G is the
 * ordinary case for least squares on one-hot categories: each categorical feature's columns sum
 * to the intercept, and buckets without training rows (unknown, often missing and other) are zero
 * columns. The minimum-norm solution is what scikit-learn's LinearRegression (lstsq) returns, and
 * it gives such buckets weight 0 and centres each feature's category weights.
 */

export interface SymmetricSolution {
  readonly solution: Float64Array;
  /** Number of independent columns found. */
  readonly rank: number;
}

/** Solves `matrix` (n x n, row-major, symmetric PSD; overwritten) times w = rightHandSide. */
export function solveSymmetricMinimumNorm(
  matrix: Float64Array,
  rightHandSide: Float64Array,
): SymmetricSolution {
  const size = rightHandSide.length;
  const permutation = Int32Array.from({ length: size }, (_, index) => index);
  let largestDiagonal = 0;
  for (let index = 0; index < size; index += 1)
    largestDiagonal = Math.max(largestDiagonal, matrix[index * size + index]);
  // A pivot this small relative to the largest diagonal is rounding noise: the column depends on
  // earlier ones (the LAPACK dpstrf default tolerance).
  const pivotTolerance = size * Number.EPSILON * largestDiagonal;
  let rank = 0;
  // Outer-product Cholesky: after step k, the lower triangle's first k columns hold L, and the
  // trailing block holds the Schur complement still to be factored.
  for (; rank < size; rank += 1) {
    let pivot = rank;
    for (let index = rank + 1; index < size; index += 1) {
      if (matrix[index * size + index] > matrix[pivot * size + pivot]) pivot = index;
    }
    const pivotValue = matrix[pivot * size + pivot];
    if (!(pivotValue > pivotTolerance)) break;
    swapSymmetric(matrix, size, rank, pivot);
    [permutation[rank], permutation[pivot]] = [permutation[pivot], permutation[rank]];
    const diagonal = Math.sqrt(pivotValue);
    matrix[rank * size + rank] = diagonal;
    for (let row = rank + 1; row < size; row += 1) matrix[row * size + rank] /= diagonal;
    for (let column = rank + 1; column < size; column += 1) {
      const factor = matrix[column * size + rank];
      if (factor === 0) continue;
      for (let row = column; row < size; row += 1)
        matrix[row * size + column] -= matrix[row * size + rank] * factor;
    }
  }
  const permuted = Float64Array.from(permutation, (original) => rightHandSide[original]);
  const basic = new Float64Array(size);
  basic.set(solveFactored(matrix, size, rank, permuted.subarray(0, rank)));
  const minimumNorm = rank < size ? projectOutNullSpace(matrix, size, rank, basic) : basic;
  const solution = new Float64Array(size);
  for (let index = 0; index < size; index += 1) solution[permutation[index]] = minimumNorm[index];
  return { solution, rank };
}

/** Swaps rows and columns a < b of the lower triangle in place (the upper triangle is unused). */
function swapSymmetric(matrix: Float64Array, size: number, a: number, b: number): void {
  if (a === b) return;
  const at = (row: number, column: number) => (row >= column ? row * size + column : column * size + row);
  for (let index = 0; index < size; index += 1) {
    if (index === a || index === b) continue;
    const first = at(a, index);
    const second = at(b, index);
    const held = matrix[first];
    matrix[first] = matrix[second];
    matrix[second] = held;
  }
  const held = matrix[a * size + a];
  matrix[a * size + a] = matrix[b * size + b];
  matrix[b * size + b] = held;
}

/** Solves L L' z = rightHandSide with L the leading rank x rank block of the factor. */
function solveFactored(
  factor: Float64Array,
  size: number,
  rank: number,
  rightHandSide: Float64Array,
): Float64Array {
  const z = Float64Array.from(rightHandSide);
  for (let row = 0; row < rank; row += 1) {
    let sum = z[row];
    for (let column = 0; column < row; column += 1) sum -= factor[row * size + column] * z[column];
    z[row] = sum / factor[row * size + row];
  }
  for (let row = rank - 1; row >= 0; row -= 1) {
    let sum = z[row];
    for (let below = row + 1; below < rank; below += 1) sum -= factor[below * size + row] * z[below];
    z[row] = sum / factor[row * size + row];
  }
  return z;
}

/**
 * With L = [L11; L21] (L11 rank x rank), the null space of the permuted matrix is spanned by the
 * columns of N = [-L11^-T L21^T; I]; the minimum-norm solution is z - N (N'N)^-1 N' z.
 */
function projectOutNullSpace(
  factor: Float64Array,
  size: number,
  rank: number,
  basic: Float64Array,
): Float64Array {
  const nullity = size - rank;
  // Column j of N, stored as the rank entries of its top block (the bottom block is e_j).
  const top = new Float64Array(nullity * rank);
  for (let dependent = 0; dependent < nullity; dependent += 1) {
    const block = top.subarray(dependent * rank, (dependent + 1) * rank);
    // Solve L11' v = -L21' e_j by back substitution.
    for (let row = rank - 1; row >= 0; row -= 1) {
      let sum = -factor[(rank + dependent) * size + row];
      for (let below = row + 1; below < rank; below += 1) sum -= factor[below * size + row] * block[below];
      block[row] = sum / factor[row * size + row];
    }
  }
  const gram = new Float64Array(nullity * nullity);
  const projection = new Float64Array(nullity);
  for (let first = 0; first < nullity; first += 1) {
    const a = top.subarray(first * rank, (first + 1) * rank);
    let along = basic[rank + first];
    for (let index = 0; index < rank; index += 1) along += a[index] * basic[index];
    projection[first] = along;
    for (let second = 0; second <= first; second += 1) {
      const b = top.subarray(second * rank, (second + 1) * rank);
      let sum = first === second ? 1 : 0;
      for (let index = 0; index < rank; index += 1) sum += a[index] * b[index];
      gram[first * nullity + second] = sum;
      gram[second * nullity + first] = sum;
    }
  }
  // N'N = I + (top block)'(top block) is positive definite: the plain solve cannot fail.
  const coefficients = solveSymmetricMinimumNorm(gram, projection).solution;
  const result = Float64Array.from(basic);
  for (let dependent = 0; dependent < nullity; dependent += 1) {
    const a = top.subarray(dependent * rank, (dependent + 1) * rank);
    const coefficient = coefficients[dependent];
    for (let index = 0; index < rank; index += 1) result[index] -= coefficient * a[index];
    result[rank + dependent] -= coefficient;
  }
  return result;
}
