/**
 * Numeric features: imputation of missing values, standardization, and a missing indicator.
 *
 * Fitted on training rows only. Center and scale are computed after imputation (what a
 * SimpleImputer followed by a StandardScaler does in scikit-learn), with the population standard
 * deviation; a constant column gets scale 1, so it standardizes to 0 and contributes nothing.
 * The indicator exists only where training had missing values: without them it would be a
 * constant column. A column missing in every training row carries no information; it imputes to 0
 * and has no indicator, so it is ignored by the model whatever arrives at prediction time.
 */
import type { NumericColumn } from '../frame/frame.js';
import { TrainingInputError } from '../training.js';

export type Imputation = 'mean' | 'median';

export interface NumericEncoderSpec {
  readonly kind: 'numeric';
  /** The input column this feature reads. */
  readonly name: string;
  readonly imputation: Imputation;
  /** The raw value a missing input becomes. */
  readonly imputedValue: number;
  /** Standardized value = (raw - center) / scale. */
  readonly center: number;
  readonly scale: number;
  /** Whether the model has an extra 0/1 feature saying the input was missing. */
  readonly missingIndicator: boolean;
}

export function fitNumericEncoder(column: NumericColumn, imputation: Imputation): NumericEncoderSpec {
  const { values } = column;
  const observed = countObserved(values, column.name);
  if (observed === 0) {
    return {
      kind: 'numeric',
      name: column.name,
      imputation,
      imputedValue: 0,
      center: 0,
      scale: 1,
      missingIndicator: false,
    };
  }
  const imputedValue =
    imputation === 'median' ? medianOfObserved(values, observed) : meanOfObserved(values, observed);
  let sum = 0;
  for (let row = 0; row < values.length; row += 1) {
    const value = values[row];
    sum += value === value ? value : imputedValue;
  }
  const center = sum / values.length;
  let squaredDeviations = 0;
  for (let row = 0; row < values.length; row += 1) {
    const value = values[row];
    const deviation = (value === value ? value : imputedValue) - center;
    squaredDeviations += deviation * deviation;
  }
  const deviation = Math.sqrt(squaredDeviations / values.length);
  // Relative tolerance: a column whose spread is rounding noise is constant.
  const scale = deviation > 1e-12 * Math.max(1, Math.abs(center)) ? deviation : 1;
  return {
    kind: 'numeric',
    name: column.name,
    imputation,
    imputedValue,
    center,
    scale,
    missingIndicator: observed < values.length,
  };
}

/** Standardized value of one raw input (NaN meaning missing). */
export function standardize(spec: NumericEncoderSpec, raw: number): number {
  return ((raw === raw ? raw : spec.imputedValue) - spec.center) / spec.scale;
}

/** Values that are not NaN; an infinite value is refused (frame builders never make one). */
function countObserved(values: Float64Array, name: string): number {
  let count = 0;
  for (let row = 0; row < values.length; row += 1) {
    const value = values[row];
    if (value === Infinity || value === -Infinity) {
      throw new TrainingInputError(
        `column ${JSON.stringify(name)} holds an infinite value in row ${row}; frames mark missing values with NaN`,
      );
    }
    if (value === value) count += 1;
  }
  return count;
}

function meanOfObserved(values: Float64Array, observed: number): number {
  let sum = 0;
  for (let row = 0; row < values.length; row += 1) if (values[row] === values[row]) sum += values[row];
  return sum / observed;
}

function medianOfObserved(values: Float64Array, observed: number): number {
  const sorted = new Float64Array(observed);
  let next = 0;
  for (let row = 0; row < values.length; row += 1)
    if (values[row] === values[row]) sorted[next++] = values[row];
  sorted.sort();
  const middle = observed >> 1;
  return observed % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
