/** Special functions and hypothesis tests that ml/drift and ml/metrics build on (SciPy-compatible). */
export { StatisticsInputError } from './errors.js';
export { logGamma, regularizedGammaP, regularizedGammaQ, chiSquareSurvival } from './gamma.js';
export { smirnovSurvival } from './smirnov-distribution.js';
export { kolmogorovSmirnovSurvival, pelzGoodCdf } from './kolmogorov-smirnov-distribution.js';
export { durbinMatrixCdf, pomeranzCdf } from './kolmogorov-exact-algorithms.js';
export {
  kolmogorovSmirnovTwoSample,
  kolmogorovSmirnovTwoSamplePValue,
  kolmogorovSmirnovStatistic,
  type KolmogorovSmirnovMethod,
  type KolmogorovSmirnovResult,
} from './ks-two-sample.js';
export { chiSquareTest, chiSquareContingency, type ChiSquareResult } from './chi-square-test.js';
