/**
 * The design of a linear model: standardized numeric columns stored densely, and for categorical
 * features one weight index per row (a sparse one-hot row, never densified). Columns are stored
 * apart (column-major), so the loss passes are tight loops over contiguous typed arrays.
 *
 * Weight layout (per model output), intercept excluded and kept apart:
 *   [dense columns: per numeric feature its standardized value, then its missing indicator if any]
 *   [per categorical feature: one weight per code, kept categories then other, unknown, missing]
 */
import { type Frame, getColumn } from '../frame/frame.js';
import { codeCount } from '../encoders/categorical.js';
import type { FeatureEncoderSpec } from '../encoders/feature-set.js';
import { encoderCodes, rawNumericValues } from '../encoders/frame-values.js';

export type LinearSlot =
  | { readonly kind: 'numeric'; readonly valueIndex: number; readonly indicatorIndex: number }
  | {
      readonly kind: 'categorical';
      readonly offset: number;
      readonly codeCount: number;
      readonly codeColumn: number;
    };

export interface LinearLayout {
  readonly denseWidth: number;
  readonly categoricalWidth: number;
  /** Weights per output, intercept excluded. */
  readonly weightCount: number;
  /** Where each encoder's weights sit, in encoder order. */
  readonly slots: readonly LinearSlot[];
}

export interface LinearDesign {
  readonly layout: LinearLayout;
  readonly rowCount: number;
  /** One array per dense column (layout.denseWidth of them), rowCount values each. */
  readonly dense: readonly Float64Array[];
  /** One array per categorical feature (layout.categoricalWidth of them): each row's weight index. */
  readonly codes: readonly Int32Array[];
}

export function linearLayout(encoders: readonly FeatureEncoderSpec[]): LinearLayout {
  let denseWidth = 0;
  for (const encoder of encoders)
    if (encoder.kind === 'numeric') denseWidth += encoder.missingIndicator ? 2 : 1;
  let nextDense = 0;
  let nextWeight = denseWidth;
  let categoricalWidth = 0;
  const slots = encoders.map((encoder): LinearSlot => {
    if (encoder.kind === 'numeric') {
      const valueIndex = nextDense;
      nextDense += encoder.missingIndicator ? 2 : 1;
      return { kind: 'numeric', valueIndex, indicatorIndex: encoder.missingIndicator ? valueIndex + 1 : -1 };
    }
    const slot = {
      kind: 'categorical' as const,
      offset: nextWeight,
      codeCount: codeCount(encoder),
      codeColumn: categoricalWidth,
    };
    nextWeight += slot.codeCount;
    categoricalWidth += 1;
    return slot;
  });
  return { denseWidth, categoricalWidth, weightCount: nextWeight, slots };
}

/** Sum of the sample weights, or the row count when rows are unweighted: the loss's denominator. */
export function totalSampleWeight(sampleWeights: Float64Array | null, rowCount: number): number {
  if (sampleWeights === null) return rowCount;
  let total = 0;
  for (let row = 0; row < sampleWeights.length; row += 1) total += sampleWeights[row];
  return total;
}

export function buildLinearDesign(
  frame: Frame,
  encoders: readonly FeatureEncoderSpec[],
  layout = linearLayout(encoders),
  /** Features whose text values are dates (only matters when a frame holds them as strings). */
  timestampFeatures: ReadonlySet<string> = new Set(),
  /** Allocate in shared memory, for worker threads to read without a copy. */
  shared = false,
): LinearDesign {
  const rowCount = frame.rowCount;
  const newBuffer = (bytes: number) => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const dense: Float64Array[] = Array.from(
    { length: layout.denseWidth },
    () => new Float64Array(newBuffer(rowCount * 8)),
  );
  const codes: Int32Array[] = Array.from(
    { length: layout.categoricalWidth },
    () => new Int32Array(newBuffer(rowCount * 4)),
  );
  encoders.forEach((encoder, index) => {
    const slot = layout.slots[index];
    const column = getColumn(frame, encoder.name);
    if (encoder.kind === 'numeric' && slot.kind === 'numeric') {
      const raw = rawNumericValues(column, timestampFeatures.has(encoder.name));
      const { imputedValue, center, scale } = encoder;
      const values = dense[slot.valueIndex];
      for (let row = 0; row < rowCount; row += 1) {
        const value = raw[row];
        values[row] = ((value === value ? value : imputedValue) - center) / scale;
      }
      if (slot.indicatorIndex >= 0) {
        const indicators = dense[slot.indicatorIndex];
        for (let row = 0; row < rowCount; row += 1) indicators[row] = raw[row] === raw[row] ? 0 : 1;
      }
    } else if (encoder.kind === 'categorical' && slot.kind === 'categorical') {
      const featureCodes = encoderCodes(encoder, column);
      const indices = codes[slot.codeColumn];
      for (let row = 0; row < rowCount; row += 1) indices[row] = slot.offset + featureCodes[row];
    }
  });
  return { layout, rowCount, dense, codes };
}
