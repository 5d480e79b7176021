/**
 * Gradient histograms: for every feature bin of a node, the sums of gradients, hessians and the
 * row count, interleaved so one bin's update touches one cache line.
 */

/** Doubles per bin: gradient sum, hessian sum, row count and one unused lane, so a bin is 32
 * aligned bytes that never straddle a cache line (about a third faster than 3 doubles). */
export const HISTOGRAM_STRIDE = 4;

export interface HistogramLayout {
  /** First histogram slot of each feature (value bins followed by the missing bin). */
  offsets: Int32Array;
  /** Slots per feature: value bins + 1 missing bin. */
  slots: Int32Array;
  totalSlots: number;
}

export function createHistogramLayout(binCounts: readonly number[]): HistogramLayout {
  const offsets = new Int32Array(binCounts.length);
  const slots = new Int32Array(binCounts.length);
  let total = 0;
  binCounts.forEach((binCount, feature) => {
    offsets[feature] = total;
    slots[feature] = binCount + 1;
    total += binCount + 1;
  });
  return { offsets, slots, totalSlots: total };
}

/**
 * Fills the histograms of `features[from..to)` over rows `rows[start..start+count)`, reading the
 * gradients of row r at gradientOffset + r and writing from histogramOffset on.
 *
 * Rows are the outer loop and up to four features are handled per pass, so each row's index,
 * gradient and hessian are loaded once for several features and the four independent histogram
 * updates overlap; one pass per feature was about twice as slow. Self-contained on purpose (no
 * closures, no imports): worker threads run its source text.
 */
export function accumulateHistograms(
  columns: readonly Uint8Array[],
  features: Int32Array,
  from: number,
  to: number,
  offsets: Int32Array,
  slots: Int32Array,
  rows: Uint32Array,
  start: number,
  count: number,
  gradients: Float32Array,
  hessians: Float32Array,
  gradientOffset: number,
  histogram: Float64Array,
  histogramOffset: number,
): void {
  const end = start + count;
  for (let position = from; position < to; position++) {
    const feature = features[position];
    const begin = histogramOffset + offsets[feature] * 4;
    histogram.fill(0, begin, begin + slots[feature] * 4);
  }
  for (let position = from; position < to;) {
    // Even groups (5 features: 3 + 2, not 4 + 1): a feature alone in a pass costs nearly a full pass.
    const remaining = to - position;
    const group = Math.ceil(remaining / Math.ceil(remaining / 4));
    // Unused lanes of a short group repeat the last feature; only `group` lanes are written.
    const last = to - 1;
    const feature0 = features[position];
    const feature1 = features[Math.min(position + 1, last)];
    const feature2 = features[Math.min(position + 2, last)];
    const feature3 = features[Math.min(position + 3, last)];
    const column0 = columns[feature0];
    const column1 = columns[feature1];
    const column2 = columns[feature2];
    const column3 = columns[feature3];
    const base0 = histogramOffset + offsets[feature0] * 4;
    const base1 = histogramOffset + offsets[feature1] * 4;
    const base2 = histogramOffset + offsets[feature2] * 4;
    const base3 = histogramOffset + offsets[feature3] * 4;
    if (group === 4) {
      for (let index = start; index < end; index++) {
        const row = rows[index];
        const gradient = gradients[gradientOffset + row];
        const hessian = hessians[gradientOffset + row];
        let slot = base0 + (column0[row] << 2);
        histogram[slot] += gradient;
        histogram[slot + 1] += hessian;
        histogram[slot + 2] += 1;
        slot = base1 + (column1[row] << 2);
        histogram[slot] += gradient;
        histogram[slot + 1] += hessian;
        histogram[slot + 2] += 1;
        slot = base2 + (column2[row] << 2);
        histogram[slot] += gradient;
        histogram[slot + 1] += hessian;
        histogram[slot + 2] += 1;
        slot = base3 + (column3[row] << 2);
        histogram[slot] += gradient;
        histogram[slot + 1] += hessian;
        histogram[slot + 2] += 1;
      }
    } else if (group === 3) {
      for (let index = start; index < end; index++) {
        const row = rows[index];
        const gradient = gradients[gradientOffset + row];
        const hessian = hessians[gradientOffset + row];
        let slot = base0 + (column0[row] << 2);
        histogram[slot] += gradient;
        histogram[slot + 1] += hessian;
        histogram[slot + 2] += 1;
        slot = base1 + (column1[row] << 2);
        histogram[slot] += gradient;
        histogram[slot + 1] += hessian;
        histogram[slot + 2] += 1;
        slot = base2 + (column2[row] << 2);
        histogram[slot] += gradient;
        histogram[slot + 1] += hessian;
        histogram[slot + 2] += 1;
      }
    } else if (group === 2) {
      for (let index = start; index < end; index++) {
        const row = rows[index];
        const gradient = gradients[gradientOffset + row];
        const hessian = hessians[gradientOffset + row];
        let slot = base0 + (column0[row] << 2);
        histogram[slot] += gradient;
        histogram[slot + 1] += hessian;
        histogram[slot + 2] += 1;
        slot = base1 + (column1[row] << 2);
        histogram[slot] += gradient;
        histogram[slot + 1] += hessian;
        histogram[slot + 2] += 1;
      }
    } else {
      for (let index = start; index < end; index++) {
        const row = rows[index];
        const slot = base0 + (column0[row] << 2);
        histogram[slot] += gradients[gradientOffset + row];
        histogram[slot + 1] += hessians[gradientOffset + row];
        histogram[slot + 2] += 1;
      }
    }
    position += group;
  }
}

/** The sibling's histogram without a pass over its rows: parent minus the built child, in place. */
export function subtractHistogram(
  parent: Float64Array,
  child: Float64Array,
  features: Int32Array,
  featureCount: number,
  layout: HistogramLayout,
): void {
  for (let position = 0; position < featureCount; position++) {
    const feature = features[position];
    const begin = layout.offsets[feature] * HISTOGRAM_STRIDE;
    const end = begin + layout.slots[feature] * HISTOGRAM_STRIDE;
    for (let slot = begin; slot < end; slot++) parent[slot] -= child[slot];
  }
}
