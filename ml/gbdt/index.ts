/**
 * Histogram gradient boosting (in the manner of LightGBM and scikit-learn's HistGradientBoosting):
 * training, strict loading of stored models, and row-wise and column-wise scoring.
 */
export {
  DEFAULT_GRADIENT_BOOSTING_PARAMS,
  outputCountFor,
  type GradientBoostingCheckpoint,
  type GradientBoostingData,
  type GradientBoostingFeature,
  type GradientBoostingFeatureSchema,
  type GradientBoostingLoss,
  type GradientBoostingModel,
  type GradientBoostingParams,
  type GradientBoostingTree,
} from './types.js';
export { fitGradientBoosting } from './fit.js';
export { validateGradientBoostingModel } from './validate-model.js';
export { predictGradientBoostingColumns, predictGradientBoostingRow } from './predict.js';
