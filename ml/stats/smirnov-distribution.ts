/**
 * The one-sided Kolmogorov–Smirnov (Smirnov) distribution: P(D+_n > x) for a sample of size n.
 *
 * SciPy's `scipy.special.smirnov(n, x)`. We evaluate the Birnbaum–Tingey sum
 *
 *   P(D+_n > x) = x · Σ_{v=0}^{⌊n(1-x)⌋} C(n, v) (x + v/n)^(v-1) (1 - x - v/n)^(n-v)
 *
 * whose terms are all positive, in log space (SciPy uses double-double arithmetic instead; both
 * agree to far better than the 1e-9 our tests ask for). The special cases follow SciPy's cephes
 * `_smirnov` so the same branch answers the same arguments.
 */

const MIN_LOG = -708.3964185322641; // ln of the smallest normal double
const LARGE_N = 1_000_000; // above this, SciPy (and we) use an asymptotic approximation
const EPSILON = 2 ** -52;

/** P(D+_n > x), the survival function of the one-sided KS statistic. */
export function smirnovSurvival(n: number, x: number): number {
  if (!(n >= 1) || !Number.isInteger(n)) throw new RangeError(`smirnov: n must be an integer >= 1, got ${n}`);
  if (!(x >= 0 && x <= 1)) throw new RangeError(`smirnov: x must lie in [0, 1], got ${x}`);
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;
  const nx = n * x;
  const nxFloor = Math.floor(nx);
  if (nxFloor === 0 || (nxFloor === 1 && nx === 1)) {
    // x <= 1/n: closed form cdf = x (1 + x)^(n-1).
    return 1 - x * Math.pow(1 + x, n - 1);
  }
  if (-2 * n * x * x < MIN_LOG) return 0;
  if (nxFloor >= n - 1) return Math.pow(1 - x, n);
  if (n > LARGE_N) {
    const logP = -Math.pow(6 * n * x + 1, 2) / 18 / n;
    // 1 - (1 - e^logP) mirrors SciPy's rounding in the range where it takes that path.
    return logP < -Math.LN2 ? Math.exp(logP) : 1 + Math.expm1(logP);
  }
  return birnbaumTingeySum(n, x, nx);
}

function birnbaumTingeySum(n: number, x: number, nx: number): number {
  const lastTerm = Math.floor(n - nx);
  // Streaming log-sum-exp: `scaledSum` is Σ exp(logTerm - logScale).
  let logScale = -Infinity;
  let scaledSum = 0;
  // ln C(n, v) grows to ~n while its increments stay small: a compensated (Kahan) running sum
  // keeps the rounding of a million additions from piling up to ~1e-9 relative error.
  let logBinomial = 0;
  let logBinomialCompensation = 0;
  for (let v = 0; v <= lastTerm; v += 1) {
    const lower = (nx + v) / n;
    const upper = (n - v - nx) / n;
    if (upper > 0) {
      const logTerm = logBinomial + (v - 1) * Math.log(lower) + (n - v) * Math.log1p(-lower);
      if (logTerm > logScale) {
        scaledSum = scaledSum * Math.exp(logScale - logTerm) + 1;
        logScale = logTerm;
      } else {
        const relative = Math.exp(logTerm - logScale);
        scaledSum += relative;
        // Past the peak the terms fall fast; stop once the rest cannot change the sum.
        if (4 * (lastTerm - v) * relative < EPSILON * scaledSum) break;
      }
    }
    const increment = Math.log(n - v) - Math.log(v + 1) - logBinomialCompensation;
    const next = logBinomial + increment;
    logBinomialCompensation = next - logBinomial - increment;
    logBinomial = next;
  }
  return Math.min(1, Math.max(0, x * scaledSum * Math.exp(logScale)));
}
