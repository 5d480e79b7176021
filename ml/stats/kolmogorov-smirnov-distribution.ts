/**
 * Survival function of the two-sided one-sample Kolmogorov–Smirnov statistic D_n: SciPy's
 * `scipy.stats.kstwo.sf(x, n)`, which `ks_2samp` uses for its asymptotic p-value (with
 * n = round(n1·n2 / (n1 + n2))). The choice of algorithm per (n, x) follows Simard & L'Ecuyer
 * (2011) exactly as SciPy's `_kolmogn` does, so each argument is answered by the same method.
 */

import { clipProbability, durbinMatrixCdf, pomeranzCdf } from './kolmogorov-exact-algorithms.js';
import { smirnovSurvival } from './smirnov-distribution.js';

const LOG_TWO_PI = Math.log(2 * Math.PI);
const SQRT_TWO_PI = Math.sqrt(2 * Math.PI);
const SQRT_THREE = Math.sqrt(3);
const PI_SQUARED = Math.PI ** 2;
const PI_FOURTH = Math.PI ** 4;
const PI_SIXTH = Math.PI ** 6;
const MIN_LOG = -708;

// B_{2j} / (2j) / (2j - 1) for j = 8, ..., 1: Stirling's series for ln(n!).
const STIRLING_COEFFICIENTS = [
  -3617 / 122400,
  1 / 156,
  -691 / 360360,
  1 / 1188,
  -1 / 1680,
  1 / 1260,
  -1 / 360,
  1 / 12,
];

/** ln(n! / n^n), with n·ln(n) removed before Stirling's series to avoid cancellation. */
function logFactorialOverPower(n: number): number {
  const reciprocal = 1 / n;
  const argument = reciprocal / n;
  let series = 0;
  for (const coefficient of STIRLING_COEFFICIENTS) series = series * argument + coefficient;
  return Math.log(n) / 2 - n + LOG_TWO_PI / 2 + reciprocal * series;
}

/** Pelz–Good asymptotic series for P(D_n <= x), accurate for large n and small x·sqrt(n). */
export function pelzGoodCdf(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z3 = z2 * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const logQ = -PI_SQUARED / 8 / z2;
  if (logQ < MIN_LOG) return 0;
  let q = Math.exp(logQ);
  const k1a = -z2;
  const k1b = PI_SQUARED / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI_SQUARED) / 4;
  const k2c = (PI_FOURTH * (1 - 2 * z2)) / 16;
  const k3d = (PI_SIXTH * (5 - 30 * z2)) / 64;
  const k3c = (PI_FOURTH * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI_SQUARED * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  const terms = [0, 0, 0, 0];
  // Horner scheme over odd m = 2k - 1 of c_m q^(m^2).
  const maxK = Math.ceil((16 * z) / Math.PI);
  for (let k = maxK; k > 0; k -= 1) {
    const m = 2 * k - 1;
    const m2 = m * m;
    const m4 = m2 * m2;
    const m6 = m4 * m2;
    const qPower = q ** (8 * k);
    const coefficients = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
    for (let index = 0; index < 4; index += 1) terms[index] = terms[index] * qPower + coefficients[index];
  }
  const divisors = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let index = 0; index < 4; index += 1)
    terms[index] = (terms[index] * q * SQRT_TWO_PI) / divisors[index];
  // The remaining sums over all integers k for K2 and K3.
  q = Math.exp(-PI_SQUARED / 2 / z2);
  let k2Extra = 0;
  let k3Extra = 0;
  for (let k = maxK; k > 0; k -= 1) {
    const k2 = k * k;
    const qPower = q ** k2;
    const kPi = Math.PI * k;
    k2Extra += k2 * qPower;
    k3Extra += (SQRT_THREE * z + kPi) * (SQRT_THREE * z - kPi) * k2 * qPower;
  }
  terms[2] += (k2Extra * PI_SQUARED * SQRT_TWO_PI) / (-36 * z3);
  terms[3] += (k3Extra * PI_SQUARED * SQRT_TWO_PI) / (216 * z6);
  let cdf = 0;
  for (let index = 0; index < 4; index += 1) cdf += terms[index] / n ** (index / 2);
  return cdf;
}

/** P(D_n >= x) for the two-sided one-sample KS statistic with sample size n (SciPy `kstwo.sf`). */
export function kolmogorovSmirnovSurvival(n: number, x: number): number {
  if (!(n >= 1) || !Number.isInteger(n)) throw new RangeError(`kstwo: n must be an integer >= 1, got ${n}`);
  if (Number.isNaN(x)) throw new RangeError('kstwo: x is NaN');
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    // Ruben–Gambino: for 1/(2n) <= x <= 1/n the CDF is n!/n^n (2t - 1)^n.
    if (t <= 0.5) return 1;
    let cdf: number;
    if (n <= 140) {
      cdf = 1;
      for (let index = 1; index <= n; index += 1) cdf *= index * (1 / n) * (2 * t - 1);
    } else {
      cdf = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    }
    return clipProbability(1 - cdf);
  }
  if (t >= n - 1) return clipProbability(2 * (1 - x) ** n);
  if (x >= 0.5) return clipProbability(2 * smirnovSurvival(n, x));
  const nxSquared = t * x;
  if (n <= 140) {
    if (nxSquared <= 0.754693) return clipProbability(1 - durbinMatrixCdf(n, x));
    if (nxSquared <= 4) return clipProbability(1 - pomeranzCdf(n, x));
    return clipProbability(2 * smirnovSurvival(n, x));
  }
  if (nxSquared >= 370) return 0;
  if (nxSquared >= 2.2) return clipProbability(2 * smirnovSurvival(n, x));
  const cdf = n <= 100_000 && n * x ** 1.5 <= 1.4 ? durbinMatrixCdf(n, x) : pelzGoodCdf(n, x);
  return clipProbability(1 - clipProbability(cdf));
}
