/** Fitting the encoders of a model's features from a training frame. */
import { type Frame, getColumn } from '../frame/frame.js';
import { TrainingInputError } from '../training.js';
import { type CategoricalEncoderSpec, fitCategoricalEncoder } from './categorical.js';
import { fitNumericEncoder, type Imputation, type NumericEncoderSpec } from './numeric.js';

export type FeatureEncoderSpec = NumericEncoderSpec | CategoricalEncoderSpec;

export interface FeatureEncodingOptions {
  /** How missing numeric values are filled. Default 'mean'. */
  readonly imputation: Imputation;
  /**
   * Categories kept per categorical feature (others share the "other" bucket). Default 253, so a
   * feature has at most 255 codes besides missing: what gradient boosting's categorical splits take.
   */
  readonly maxCategories: number;
  /** Categories seen in fewer training rows go to the "other" bucket. Default 1 (keep all). */
  readonly minCategoryCount: number;
}

export const DEFAULT_FEATURE_ENCODING: FeatureEncodingOptions = {
  imputation: 'mean',
  maxCategories: 253,
  minCategoryCount: 1,
};

/** One encoder per feature, in `featureNames` order, fitted on `frame` (the training rows). */
export function fitFeatureEncoders(
  frame: Frame,
  featureNames: readonly string[],
  options: FeatureEncodingOptions = DEFAULT_FEATURE_ENCODING,
): FeatureEncoderSpec[] {
  if (!Number.isInteger(options.maxCategories) || options.maxCategories < 1) {
    throw new TrainingInputError(`maxCategories must be a positive integer, got ${options.maxCategories}`);
  }
  if (!Number.isInteger(options.minCategoryCount) || options.minCategoryCount < 1) {
    throw new TrainingInputError(
      `minCategoryCount must be a positive integer, got ${options.minCategoryCount}`,
    );
  }
  return featureNames.map((name) => {
    const column = getColumn(frame, name);
    return column.kind === 'numeric'
      ? fitNumericEncoder(column, options.imputation)
      : fitCategoricalEncoder(column, options);
  });
}
