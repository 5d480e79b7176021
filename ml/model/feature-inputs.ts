/**
 * A loaded model's features, compiled for scoring: what each feature reads and where its weights
 * (or its gradient boosting column) sit, plus the standardization both scoring paths share.
 */
import { buildCodeLookup, missingBucketCode, unknownCode } from '../encoders/categorical.js';
import type { FeatureEncoderSpec } from '../encoders/feature-set.js';
import type { LinearSlot } from '../linear/design.js';

/** Inputs this many standard deviations out are clamped: no overflow, so no NaN, downstream. */
const LARGEST_STANDARDIZED = 1e9;

export type FeatureInput =
  | {
      readonly kind: 'numeric';
      readonly name: string;
      /** The name is an Object.prototype member: read it as an own property only. */
      readonly inherited: boolean;
      readonly isTimestamp: boolean;
      readonly imputedValue: number;
      readonly center: number;
      readonly scale: number;
      readonly valueIndex: number;
      readonly indicatorIndex: number;
    }
  | {
      readonly kind: 'categorical';
      readonly name: string;
      readonly inherited: boolean;
      readonly lookup: Map<string, number>;
      readonly unknownCode: number;
      readonly missingCode: number;
      readonly offset: number;
    };

export function compileFeatureInputs(
  encoders: readonly FeatureEncoderSpec[],
  slots: readonly LinearSlot[],
  timestampFeatures: ReadonlySet<string>,
): FeatureInput[] {
  return encoders.map((encoder, index): FeatureInput => {
    const slot = slots[index];
    const inherited = encoder.name in Object.prototype;
    if (encoder.kind === 'numeric') {
      return {
        kind: 'numeric',
        name: encoder.name,
        inherited,
        isTimestamp: timestampFeatures.has(encoder.name),
        imputedValue: encoder.imputedValue,
        center: encoder.center,
        scale: encoder.scale,
        valueIndex: slot.kind === 'numeric' ? slot.valueIndex : 0,
        indicatorIndex: slot.kind === 'numeric' ? slot.indicatorIndex : -1,
      };
    }
    return {
      kind: 'categorical',
      name: encoder.name,
      inherited,
      lookup: buildCodeLookup(encoder),
      unknownCode: unknownCode(encoder),
      missingCode: missingBucketCode(encoder),
      offset: slot.kind === 'categorical' ? slot.offset : 0,
    };
  });
}

/** The standardized value of a raw input (NaN: missing, imputed), clamped to stay finite. */
export function standardizedValue(
  input: { imputedValue: number; center: number; scale: number },
  raw: number,
): number {
  const value = ((raw === raw ? raw : input.imputedValue) - input.center) / input.scale;
  if (value !== value) return 0;
  return value > LARGEST_STANDARDIZED
    ? LARGEST_STANDARDIZED
    : value < -LARGEST_STANDARDIZED
      ? -LARGEST_STANDARDIZED
      : value;
}
