/**
 * Turns training features into small integer bins so trees are grown over histograms instead of
 * sorted values. Each feature's bins are stored column-major as one byte per row; the bin after a
 * feature's last value bin holds its missing values.
 */
import { SeededRandom } from './random.js';
import type { GradientBoostingFeature } from './types.js';

/** Rows sampled to find quantile edges; as in scikit-learn, more adds time, not accuracy. */
const QUANTILE_SAMPLE_SIZE = 200_000;

export interface NumericBinning {
  kind: 'numeric';
  /** Value bins (the missing bin is number `binCount`). */
  binCount: number;
  /** Upper edge of bins 0..binCount-2: a value falls in the first bin whose edge is >= it. */
  edges: Float64Array;
}

export interface CategoricalBinning {
  kind: 'categorical';
  binCount: number;
  cardinality: number;
  /** Bin of each code (-1 for codes never seen in training, which are routed like missing values). */
  binOfCode: Int32Array;
  /** Codes of each bin: one per bin, except a shared bin for the rarest codes past maxBins - 1. */
  codesOfBin: number[][];
}

export type FeatureBinning = NumericBinning | CategoricalBinning;

export interface BinnedData {
  rowCount: number;
  binnings: FeatureBinning[];
  /** Bins of feature f for every row, as views into one buffer (shareable with worker threads). */
  columns: Uint8Array[];
}

export function binFeatures(
  features: readonly GradientBoostingFeature[],
  rowCount: number,
  maxBins: number,
  seed: number,
  shared: boolean,
): BinnedData {
  const byteLength = rowCount * features.length;
  const buffer = shared ? new SharedArrayBuffer(byteLength) : new ArrayBuffer(byteLength);
  const binnings: FeatureBinning[] = [];
  const columns: Uint8Array[] = [];
  // Each feature samples with its own generator so adding a feature never shifts another's edges.
  features.forEach((feature, featureIndex) => {
    const column = new Uint8Array(buffer, featureIndex * rowCount, rowCount);
    if (feature.kind === 'numeric') {
      const binning = findNumericBinning(
        feature.values,
        maxBins,
        new SeededRandom(seed + 7919 * featureIndex),
      );
      assignNumericBins(feature.values, binning, column);
      binnings.push(binning);
    } else {
      const binning = findCategoricalBinning(feature.codes, feature.cardinality, maxBins);
      for (let row = 0; row < rowCount; row++) {
        const code = feature.codes[row];
        column[row] = code < 0 ? binning.binCount : binning.binOfCode[code];
      }
      binnings.push(binning);
    }
    columns.push(column);
  });
  return { rowCount, binnings, columns };
}

function findNumericBinning(values: Float64Array, maxBins: number, random: SeededRandom): NumericBinning {
  let presentCount = 0;
  for (let row = 0; row < values.length; row++) if (values[row] === values[row]) presentCount++;
  if (presentCount === 0) return { kind: 'numeric', binCount: 1, edges: new Float64Array(0) };
  const sample = new Float64Array(Math.min(presentCount, QUANTILE_SAMPLE_SIZE));
  if (presentCount <= QUANTILE_SAMPLE_SIZE) {
    let next = 0;
    for (let row = 0; row < values.length; row++)
      if (values[row] === values[row]) sample[next++] = values[row];
  } else {
    for (let index = 0; index < sample.length;) {
      const value = values[random.nextInt(values.length)];
      if (value === value) sample[index++] = value;
    }
  }
  sample.sort();
  const distinct: number[] = [];
  for (let index = 0; index < sample.length; index++) {
    if (index === 0 || sample[index] !== sample[index - 1]) distinct.push(sample[index]);
  }
  const edges: number[] = [];
  if (distinct.length <= maxBins) {
    for (let index = 1; index < distinct.length; index++)
      edges.push(midpoint(distinct[index - 1], distinct[index]));
  } else {
    // scikit-learn's rule: percentiles 100*k/maxBins with "midpoint" interpolation.
    const last = sample.length - 1;
    for (let k = 1; k < maxBins; k++) {
      const position = (k / maxBins) * last;
      const edge = midpoint(sample[Math.floor(position)], sample[Math.ceil(position)]);
      if (edges.length === 0 || edge > edges[edges.length - 1]) edges.push(edge);
    }
  }
  return { kind: 'numeric', binCount: edges.length + 1, edges: Float64Array.from(edges) };
}

function midpoint(low: number, high: number): number {
  const middle = low + (high - low) / 2;
  // Keep the edge strictly below `high` so both values stay in different bins.
  return middle < high ? middle : low;
}

function assignNumericBins(values: Float64Array, binning: NumericBinning, column: Uint8Array): void {
  const edges = binning.edges;
  const missingBin = binning.binCount;
  for (let row = 0; row < values.length; row++) {
    const value = values[row];
    if (value !== value) {
      column[row] = missingBin;
      continue;
    }
    column[row] = binOfValue(edges, value);
  }
}

/** Number of edges strictly below `value`: value <= edges[b] exactly when its bin is <= b. */
function binOfValue(edges: Float64Array, value: number): number {
  let low = 0;
  let high = edges.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (edges[middle] < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

function findCategoricalBinning(codes: Int32Array, cardinality: number, maxBins: number): CategoricalBinning {
  const counts = new Float64Array(cardinality);
  for (let row = 0; row < codes.length; row++) if (codes[row] >= 0) counts[codes[row]]++;
  const seen: number[] = [];
  for (let code = 0; code < cardinality; code++) if (counts[code] > 0) seen.push(code);
  // Most frequent first; the rarest codes share the last bin when there are more than maxBins.
  seen.sort((a, b) => counts[b] - counts[a] || a - b);
  const ownBins = seen.length <= maxBins ? seen.length : maxBins - 1;
  const binOfCode = new Int32Array(cardinality).fill(-1);
  const codesOfBin: number[][] = [];
  for (let rank = 0; rank < seen.length; rank++) {
    const bin = Math.min(rank, ownBins);
    if (bin === codesOfBin.length) codesOfBin.push([]);
    codesOfBin[bin].push(seen[rank]);
    binOfCode[seen[rank]] = bin;
  }
  for (const group of codesOfBin) group.sort((a, b) => a - b);
  return {
    kind: 'categorical',
    binCount: Math.max(codesOfBin.length, 1),
    cardinality,
    binOfCode,
    codesOfBin,
  };
}
