/**
 * Two exact algorithms for the CDF of the two-sided one-sample KS statistic, P(D_n <= d), as
 * SciPy's `scipy.stats._ksstats` uses them (Simard & L'Ecuyer 2011 choose between them):
 * Durbin's matrix algorithm in the Marsaglia–Tsang–Wang form, and Pomeranz's recursion.
 * Both rescale by powers of two as they go, because the intermediate numbers leave the range of
 * a double long before the answer does.
 */

const SCALE_EXPONENT = 128;
const SCALE_UP = 2 ** SCALE_EXPONENT;
const SCALE_DOWN = 2 ** -SCALE_EXPONENT;

/** value · 2^exponent without overflowing or underflowing on the way. */
function scaleByPowerOfTwo(value: number, exponent: number): number {
  let result = value;
  let remaining = exponent;
  while (remaining > 0) {
    const step = Math.min(remaining, 1000);
    result *= 2 ** step;
    remaining -= step;
  }
  while (remaining < 0) {
    const step = Math.max(remaining, -1000);
    result *= 2 ** step;
    remaining -= step;
  }
  return result;
}

function multiplySquare(left: Float64Array, right: Float64Array, size: number): Float64Array<ArrayBuffer> {
  const product = new Float64Array(size * size);
  for (let row = 0; row < size; row += 1) {
    for (let inner = 0; inner < size; inner += 1) {
      const factor = left[row * size + inner];
      if (factor === 0) continue;
      const rightRow = inner * size;
      const productRow = row * size;
      for (let column = 0; column < size; column += 1) {
        product[productRow + column] += factor * right[rightRow + column];
      }
    }
  }
  return product;
}

/** P(D_n <= d) by Durbin's matrix method (Marsaglia, Tsang & Wang 2003). Cost O(m^3 log n), m = 2⌈nd⌉ - 1. */
export function durbinMatrixCdf(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const size = 2 * k - 1;
  const firstColumn = new Float64Array(size);
  const inverseFactorials = new Float64Array(size);
  let factorial = 1;
  for (let j = 1; j <= size; j += 1) {
    inverseFactorials[j - 1] = factorial;
    factorial /= j;
    firstColumn[j - 1] = (1 - h ** j) * factorial;
  }
  const correction = Math.max(2 * h - 1, 0) ** size - 2 * h ** size;
  firstColumn[size - 1] = (1 + correction) * factorial;

  let matrix = new Float64Array(size * size);
  for (let column = 1; column < size; column += 1) {
    for (let row = column - 1; row < size; row += 1)
      matrix[row * size + column] = inverseFactorials[row - column + 1];
  }
  for (let row = 0; row < size; row += 1) matrix[row * size] = firstColumn[row];
  for (let column = 0; column < size; column += 1)
    matrix[(size - 1) * size + column] = firstColumn[size - 1 - column];

  // Square-and-multiply for matrix^n, tracking the power-of-two scaling separately.
  let power = new Float64Array(size * size);
  for (let index = 0; index < size; index += 1) power[index * size + index] = 1;
  let remaining = n;
  let powerExponent = 0;
  let matrixExponent = 0;
  const pivot = (k - 1) * size + (k - 1);
  while (remaining > 0) {
    if (remaining % 2 === 1) {
      power = multiplySquare(power, matrix, size);
      powerExponent += matrixExponent;
    }
    matrix = multiplySquare(matrix, matrix, size);
    matrixExponent *= 2;
    if (Math.abs(matrix[pivot]) > SCALE_UP) {
      for (let index = 0; index < matrix.length; index += 1) matrix[index] /= SCALE_UP;
      matrixExponent += SCALE_EXPONENT;
    }
    remaining = Math.floor(remaining / 2);
  }
  let probability = power[pivot];
  // Multiply by n! / n^n one factor at a time.
  for (let index = 1; index <= n; index += 1) {
    probability = (index * probability) / n;
    if (Math.abs(probability) < SCALE_DOWN) {
      probability *= SCALE_UP;
      powerExponent -= SCALE_EXPONENT;
    }
  }
  return clipProbability(scaleByPowerOfTwo(probability, powerExponent));
}

function pomeranzRowBounds(
  row: number,
  n: number,
  floorT: number,
  ceilFraction: number,
  roundFraction: number,
): [number, number] {
  let first: number;
  let last: number;
  if (row === 0) {
    first = -floorT - ceilFraction - 1;
    last = floorT + ceilFraction - 1;
  } else {
    const half = Math.floor((row + 1) / 2);
    if ((row + 1) % 2 === 0) {
      if (half === n + 1) {
        first = n - floorT - ceilFraction - 1;
        last = n + floorT + ceilFraction - 1;
      } else {
        first = half - 1 - floorT - roundFraction - 1;
        last = half + floorT - 1 + ceilFraction - 1;
      }
    } else {
      first = half - 1 - floorT - 1;
      last = half + floorT + roundFraction - 1;
    }
  }
  return [Math.max(first + 2, 0), Math.min(last, n)];
}

/** P(D_n <= x) by Pomeranz's recursion (1974): rows convolved with truncated Poisson weights. */
export function pomeranzCdf(n: number, x: number): number {
  const t = n * x;
  const floorT = Math.floor(t);
  const fraction = t - floorT;
  const g = Math.min(fraction, 1 - fraction);
  const ceilFraction = fraction > 0 ? 1 : 0;
  const roundFraction = fraction > 0.5 ? 1 : 0;
  const powerCount = 2 * (floorT + 1);
  // (g/n)^m / m!, (2g/n)^m / m! and ((1-2g)/n)^m / m!: Poisson weights without their normalizer.
  const gPowers = new Float64Array(powerCount);
  const twoGPowers = new Float64Array(powerCount);
  const oneMinusTwoGPowers = new Float64Array(powerCount);
  gPowers[0] = twoGPowers[0] = oneMinusTwoGPowers[0] = 1;
  for (let m = 1; m < powerCount; m += 1) {
    gPowers[m] = (gPowers[m - 1] * (g / n)) / m;
    twoGPowers[m] = (twoGPowers[m - 1] * ((2 * g) / n)) / m;
    oneMinusTwoGPowers[m] = (oneMinusTwoGPowers[m - 1] * ((1 - 2 * g) / n)) / m;
  }
  let previous = new Float64Array(powerCount);
  let current = new Float64Array(powerCount);
  current[0] = 1;
  let previousStart = 0;
  let currentStart = 0;
  let exponent = 0;
  let [first, last] = pomeranzRowBounds(0, n, floorT, ceilFraction, roundFraction);
  for (let row = 1; row < 2 * n + 2; row += 1) {
    const previousFirst = first;
    [previous, current] = [current, previous];
    [previousStart, currentStart] = [currentStart, previousStart];
    current.fill(0);
    [first, last] = pomeranzRowBounds(row, n, floorT, ceilFraction, roundFraction);
    const weights =
      row === 1 || row === 2 * n + 1 ? gPowers : row % 2 === 1 ? twoGPowers : oneMinusTwoGPowers;
    const span = last - previousFirst + 1;
    if (span <= 0) continue;
    const sliceStart = previousFirst - previousStart;
    const sliceLength = Math.min(span, powerCount - sliceStart);
    const weightLength = Math.min(span, powerCount);
    const offset = first - previousFirst;
    const length = last - first + 1;
    let largest = 0;
    for (let index = 0; index < length; index += 1) {
      const target = offset + index;
      let sum = 0;
      for (let a = Math.max(0, target - weightLength + 1); a <= Math.min(target, sliceLength - 1); a += 1) {
        sum += previous[sliceStart + a] * weights[target - a];
      }
      current[index] = sum;
      if (sum > largest) largest = sum;
    }
    if (largest > 0 && largest < SCALE_DOWN) {
      for (let index = 0; index < powerCount; index += 1) current[index] *= SCALE_UP;
      exponent -= SCALE_EXPONENT;
    }
    currentStart = previousStart + first - previousFirst;
  }
  let answer = current[n - currentStart];
  for (let m = 1; m <= n; m += 1) {
    if (Math.abs(answer) > SCALE_UP) {
      answer *= SCALE_DOWN;
      exponent += SCALE_EXPONENT;
    }
    answer *= m;
  }
  return clipProbability(scaleByPowerOfTwo(answer, exponent));
}

export function clipProbability(probability: number): number {
  return Math.min(1, Math.max(0, probability));
}
