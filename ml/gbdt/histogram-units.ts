/**
 * Histogram units: the columns a histogram pass actually reads. Two features with few bins (say
 * hour of day and day of week) whose bin counts multiply to at most 256 share one unit: a byte
 * column holding binA * slotsB + binB, whose joint histogram is summed into both features'
 * histograms afterwards. A pass then does one update per unit instead of one per feature, which
 * is where most of the time of tree building goes.
 */
import type { BinnedData } from './binning.js';
import { createHistogramLayout, HISTOGRAM_STRIDE, type HistogramLayout } from './histogram.js';

export interface HistogramUnits {
  /** Features of each unit: one, or two whose bins are combined (the first is the major one). */
  members: number[][];
  /** One byte per row and unit (a feature's own bin column for single units). */
  columns: Uint8Array[];
  layout: HistogramLayout;
  unitOfFeature: Int32Array;
}

const MAX_JOINT_SLOTS = 256;

export function planHistogramUnits(
  binned: BinnedData,
  features: HistogramLayout,
  shared: boolean,
): HistogramUnits {
  const members: number[][] = [];
  const waiting: number[] = [];
  features.slots.forEach((slots, feature) => {
    const partner = waiting.findIndex((candidate) => features.slots[candidate] * slots <= MAX_JOINT_SLOTS);
    if (partner >= 0) members.push([waiting.splice(partner, 1)[0], feature]);
    else if (slots * 2 <= MAX_JOINT_SLOTS) waiting.push(feature);
    else members.push([feature]);
  });
  for (const feature of waiting) members.push([feature]);
  members.sort((a, b) => a[0] - b[0]);
  const rowCount = binned.rowCount;
  const jointCount = members.filter((unit) => unit.length === 2).length;
  const buffer = shared
    ? new SharedArrayBuffer(rowCount * jointCount)
    : new ArrayBuffer(rowCount * jointCount);
  let nextJoint = 0;
  const columns = members.map((unit) => {
    if (unit.length === 1) return binned.columns[unit[0]];
    const joint = new Uint8Array(buffer, rowCount * nextJoint++, rowCount);
    const [major, minor] = [binned.columns[unit[0]], binned.columns[unit[1]]];
    const minorSlots = features.slots[unit[1]];
    for (let row = 0; row < rowCount; row++) joint[row] = major[row] * minorSlots + minor[row];
    return joint;
  });
  const unitOfFeature = new Int32Array(features.slots.length);
  members.forEach((unit, index) => unit.forEach((feature) => (unitOfFeature[feature] = index)));
  const unitSlots = members.map((unit) =>
    unit.reduce((product, feature) => product * features.slots[feature], 1),
  );
  return {
    members,
    columns,
    layout: createHistogramLayout(unitSlots.map((slots) => slots - 1)),
    unitOfFeature,
  };
}

/** Writes the units holding the given features, ascending, to `out`; returns how many. */
export function selectUnits(
  units: HistogramUnits,
  features: Int32Array,
  featureCount: number,
  out: Int32Array,
): number {
  const selected = new Uint8Array(units.members.length);
  for (let position = 0; position < featureCount; position++)
    selected[units.unitOfFeature[features[position]]] = 1;
  let count = 0;
  selected.forEach((flag, unit) => {
    if (flag === 1) out[count++] = unit;
  });
  return count;
}

/** Turns a histogram over units into one over features (joint units summed into both members). */
export function expandUnitHistogram(
  units: HistogramUnits,
  features: HistogramLayout,
  activeUnits: Int32Array,
  unitCount: number,
  unitHistogram: Float64Array,
  histogram: Float64Array,
): void {
  const stride = HISTOGRAM_STRIDE;
  for (let position = 0; position < unitCount; position++) {
    const unit = activeUnits[position];
    const source = units.layout.offsets[unit] * stride;
    const members = units.members[unit];
    const major = features.offsets[members[0]] * stride;
    if (members.length === 1) {
      const length = features.slots[members[0]] * stride;
      histogram.set(unitHistogram.subarray(source, source + length), major);
      continue;
    }
    const minor = features.offsets[members[1]] * stride;
    const majorSlots = features.slots[members[0]];
    const minorSlots = features.slots[members[1]];
    histogram.fill(0, major, major + majorSlots * stride);
    histogram.fill(0, minor, minor + minorSlots * stride);
    for (let majorBin = 0; majorBin < majorSlots; majorBin++) {
      for (let minorBin = 0; minorBin < minorSlots; minorBin++) {
        const cell = source + (majorBin * minorSlots + minorBin) * stride;
        for (let lane = 0; lane < 3; lane++) {
          histogram[major + majorBin * stride + lane] += unitHistogram[cell + lane];
          histogram[minor + minorBin * stride + lane] += unitHistogram[cell + lane];
        }
      }
    }
  }
}
