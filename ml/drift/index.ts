/**
 * Drift statistics: a reference profile built once from training data, a streaming accumulator
 * that compares windows against it, and the plain two-sample functions underneath.
 */
export { DriftInputError } from './errors.js';
export {
  populationStabilityIndex,
  jensenShannonDistance,
  wassersteinDistance,
  PSI_EMPTY_BIN_PROPORTION,
} from './distances.js';
export { buildReferenceProfile, type ReferenceProfileOptions } from './profile.js';
export { parseReferenceProfile } from './profile-validation.js';
export {
  REFERENCE_PROFILE_FORMAT,
  DEFAULT_PROFILE_SETTINGS,
  type ReferenceProfile,
  type FeatureProfile,
  type NumericFeatureProfile,
  type CategoricalFeatureProfile,
  type NumericSketch,
  type ProfileSettings,
} from './profile-types.js';
export { createDriftAccumulator, type DriftAccumulator } from './accumulator.js';
export {
  DEFAULT_DRIFT_THRESHOLDS,
  resolveThresholds,
  type DriftThresholds,
  type DriftSeverity,
} from './thresholds.js';
export {
  DRIFT_REPORT_FORMAT,
  type DriftReport,
  type DriftVerdict,
  type FeatureDrift,
  type DriftBin,
  type KolmogorovSmirnovDrift,
  type WassersteinDrift,
  type ChiSquareDrift,
} from './report-types.js';
// The two-sample tests live in ml/stats; re-exported here because drift callers reach for them.
export {
  kolmogorovSmirnovTwoSample,
  chiSquareTest,
  chiSquareContingency,
  type KolmogorovSmirnovResult,
  type ChiSquareResult,
} from '../stats/index.js';
