/** Evaluation metrics for classifiers and regressors, matching scikit-learn's definitions. */
export { MetricsInputError } from './errors.js';
export {
  computeClassificationMetrics,
  type ClassificationMetricsInput,
  type ClassificationMetrics,
  type ClassMetrics,
  type RocCurve,
  type CalibrationCurve,
  type PrecisionRecallCurve,
} from './classification.js';
export { computeRegressionMetrics, type RegressionMetrics } from './regression.js';
export { binaryRocCurve, limitPoints, type RocPoint, type RocCurveResult } from './roc.js';
export {
  binaryPrecisionRecallCurve,
  type PrecisionRecallPoint,
  type PrecisionRecallResult,
} from './precision-recall.js';
export { calibrationCurve, type CalibrationBin } from './calibration.js';
export { confusionMatrix, type ClassScores, type AveragedScores } from './confusion.js';
export { logLoss, brierScore } from './probabilistic.js';
export { argmaxRows } from './inputs.js';
