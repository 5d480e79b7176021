/**
 * What ml/gbdt reads, from our encoders: raw numbers with NaN for missing (trees need no
 * imputation or scaling), and category codes with missing as -1, so the trees learn where missing
 * values go. Codes past the kept categories stay distinct: "other" (K) and "unknown" (K + 1, never
 * in training, so scored like a missing value), so a feature has at most 255 codes with the
 * default cap of 253 categories.
 */
import { type Frame, getColumn } from '../frame/frame.js';
import { codeCount, type CategoricalEncoderSpec, missingBucketCode } from '../encoders/categorical.js';
import type { FeatureEncoderSpec } from '../encoders/feature-set.js';
import { encoderCodes, rawNumericValues } from '../encoders/frame-values.js';
import type { GradientBoostingFeature } from '../gbdt/index.js';

/** Gradient boosting's view of every feature of `frame`, in encoder order. */
export function gradientBoostingFeatures(
  frame: Frame,
  encoders: readonly FeatureEncoderSpec[],
  timestampFeatures: ReadonlySet<string>,
): GradientBoostingFeature[] {
  return encoders.map((encoder) => {
    const column = getColumn(frame, encoder.name);
    if (encoder.kind === 'numeric') {
      return {
        kind: 'numeric',
        name: encoder.name,
        values: rawNumericValues(column, timestampFeatures.has(encoder.name)),
      };
    }
    return {
      kind: 'categorical',
      name: encoder.name,
      codes: gradientBoostingCodes(encoder, encoderCodes(encoder, column)),
      cardinality: gradientBoostingCardinality(encoder),
    };
  });
}

/** Kept categories, other and unknown: the missing bucket becomes gbdt's own missing code. */
export function gradientBoostingCardinality(encoder: CategoricalEncoderSpec): number {
  return codeCount(encoder) - 1;
}

function gradientBoostingCodes(encoder: CategoricalEncoderSpec, codes: Int32Array): Int32Array {
  const missing = missingBucketCode(encoder);
  for (let row = 0; row < codes.length; row += 1) if (codes[row] === missing) codes[row] = -1;
  return codes;
}
