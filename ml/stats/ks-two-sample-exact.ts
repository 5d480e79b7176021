/**
 * Exact two-sided p-value of the two-sample KS statistic, as SciPy's `ks_2samp(method='exact')`
 * computes it: D = h / lcm(n1, n2), and the p-value is the share of lattice paths from (0, 0) to
 * (n1, n2) that leave the band |x/n1 - y/n2| < D. Equal sample sizes use the closed alternating
 * sum (evaluated Horner-style to avoid cancellation); unequal sizes use Hodges' "inside method"
 * in Viehmann's form that tracks 1 - p directly (arXiv:2102.08037). Returns null when the
 * computation leaves the range of a double, so the caller can fall back to the asymptotic form,
 * as SciPy does.
 */

/** P(D_{n,n} >= h/n) for two samples of equal size n. */
function equalSizesPValue(n: number, h: number): number {
  let probability = 0;
  for (let k = Math.floor(n / h); k >= 0; k -= 1) {
    let ratio = 1;
    for (let j = 0; j < h; j += 1) ratio = ((n - k * h - j) * ratio) / (n + k * h + j + 1);
    probability = ratio * (1 - probability);
  }
  return 2 * probability;
}

/** P(D_{m,n} >= h / lcm(m, n)) for unequal sizes; g = gcd(m, n). */
function unequalSizesPValue(sizeA: number, sizeB: number, g: number, h: number): number {
  const m = Math.max(sizeA, sizeB);
  const n = Math.min(sizeA, sizeB);
  const mg = m / g;
  const ng = n / g;
  // One column of the path-count matrix, as a sliding window [minJ, maxJ).
  let minJ = 0;
  let maxJ = Math.min(Math.ceil(h / mg), n + 1);
  let currentLength = maxJ - minJ;
  const column = new Float64Array(Math.min(2 * maxJ + 2, n + 1)).fill(1);
  column.fill(0, minJ, maxJ);
  for (let i = 1; i <= m; i += 1) {
    const lastMinJ = minJ;
    const lastLength = currentLength;
    minJ = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxJ = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxJ <= minJ) return 1;
    let value = minJ === 0 ? 0 : 1;
    for (let offset = 0; offset < maxJ - minJ; offset += 1) {
      const j = offset + minJ;
      value = (column[offset + minJ - lastMinJ] * i + value * j) / (i + j);
      column[offset] = value;
    }
    currentLength = maxJ - minJ;
    if (lastLength > currentLength) column.fill(1, maxJ - minJ, maxJ - minJ + (lastLength - currentLength));
  }
  return column[maxJ - minJ - 1];
}

/** Exact p-value for lattice step h (D = h / lcm); null when it cannot be computed in doubles. */
export function exactTwoSamplePValue(sizeA: number, sizeB: number, g: number, h: number): number | null {
  if (h === 0) return 1;
  const probability = sizeA === sizeB ? equalSizesPValue(sizeA, h) : unequalSizesPValue(sizeA, sizeB, g, h);
  return Number.isFinite(probability) && probability >= 0 && probability <= 1 ? probability : null;
}
