/**
 * Where a run's feature values come from (a frame's columns, or serving's JSON records), read
 * through one interface so that a value means the same to the model whichever way it arrives.
 *
 * What a value becomes in a tensor:
 * - a numeric input (float32, float64) gets the number; a missing value, or text that is not a
 *   number, is NaN (the model's own imputer, or its trees' missing branches, decide what NaN means);
 * - an int64 input gets the number rounded to an integer; int64 cannot hold NaN, so a missing value
 *   is 0 (an int64 input suits columns that are never missing);
 * - a string input gets the text; a number becomes its text as a frame would hold it ("3", "2.5",
 *   "true", an ISO date for a timestamp); a missing value is the empty string "", so a trainer
 *   should fill missing text with "" (pandas: `fillna("")`) for the model to see the same thing.
 * Record values are read by ml/encoders/record-values.ts, as for the built-in models: numeric
 * strings ("3.5") count as numbers, booleans as 1/0, ISO dates for timestamp features.
 */

/** The text a missing value is fed as to a string input. */
export const MISSING_TEXT = '';

/** Writes rows [start, end) of one feature to `target[offset + (row - start) * stride]`. */
export type NumberFiller = (
  start: number,
  end: number,
  target: Float32Array | Float64Array,
  offset: number,
  stride: number,
) => void;

/** Writes rows [start, end) of one feature's text to `target[row - start]`. */
export type TextFiller = (start: number, end: number, target: string[]) => void;

export interface FeatureSource {
  readonly rowCount: number;
  /** Throws FrameError (an InputError) when the source has no such feature column. */
  numbers(feature: string, isTimestamp: boolean): NumberFiller;
  texts(feature: string): TextFiller;
}

const LARGEST_INT64 = 9_223_372_036_854_775_807n;
const SMALLEST_INT64 = -9_223_372_036_854_775_808n;
const INT64_LIMIT = 2 ** 63;

/** A number as an int64 element: rounded, clamped to the int64 range, 0 when missing. */
export function int64FromNumber(value: number): bigint {
  if (value !== value) return 0n;
  if (value >= INT64_LIMIT) return LARGEST_INT64;
  if (value < -INT64_LIMIT) return SMALLEST_INT64;
  return BigInt(Math.round(value));
}
