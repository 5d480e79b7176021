/** The training-side summary of one numeric feature: moments, PSI bins and the CDF sketch. */

import type { NumericColumn } from '../frame/frame.js';
import { DriftInputError } from './errors.js';
import { countPerBin, numericBinLayout } from './numeric-bins.js';
import type { NumericFeatureProfile, NumericSketch, ProfileSettings } from './profile-types.js';

// Finer knots in both tails keep the Wasserstein collapse error small for heavy-tailed features.
const TAIL_PROBABILITIES = [0.001, 0.002, 0.005, 0.995, 0.998, 0.999];

function presentValuesSorted(column: NumericColumn): Float64Array {
  const { values, missing } = column;
  const present = new Float64Array(values.length);
  let count = 0;
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index];
    if ((missing && missing[index] === 1) || Number.isNaN(value)) continue;
    if (!Number.isFinite(value)) {
      throw new DriftInputError(
        `column ${JSON.stringify(column.name)} holds ${value} at row ${index}; mark it missing or clip it first`,
      );
    }
    present[count] = value;
    count += 1;
  }
  return present.subarray(0, count).sort();
}

function distinctValues(sorted: Float64Array): number[] {
  const distinct: number[] = [];
  for (let index = 0; index < sorted.length; index += 1) {
    if (index === 0 || sorted[index] !== sorted[index - 1]) distinct.push(sorted[index]);
  }
  return distinct;
}

/** numpy.quantile(method='lower'): an actual training value, so atoms stay atoms. */
function lowerQuantile(sorted: Float64Array, probability: number): number {
  return sorted[Math.floor(probability * (sorted.length - 1))];
}

function binEdgesFor(sorted: Float64Array, distinct: number[], binCount: number): number[] {
  if (distinct.length <= 1) return [];
  // Few distinct values: one bin each (the maximum closes the last, open-ended bin).
  if (distinct.length <= binCount) return distinct.slice(0, -1);
  const edges: number[] = [];
  for (let bin = 1; bin < binCount; bin += 1) {
    const edge = lowerQuantile(sorted, bin / binCount);
    if (edges.length === 0 || edge > edges[edges.length - 1]) edges.push(edge);
  }
  const max = distinct[distinct.length - 1];
  if (edges[edges.length - 1] === max) {
    // An edge at the maximum would leave the last bin empty; split just below the top atom instead.
    edges.pop();
    const belowMax = distinct[distinct.length - 2];
    if (edges.length === 0 || belowMax > edges[edges.length - 1]) edges.push(belowMax);
  }
  return edges;
}

function knotsFor(sorted: Float64Array, distinct: number[], edges: number[], sketchSize: number): number[] {
  if (distinct.length <= sketchSize + 1) return distinct;
  const candidates = new Set<number>(edges);
  for (let index = 0; index <= sketchSize; index += 1)
    candidates.add(lowerQuantile(sorted, index / sketchSize));
  for (const probability of TAIL_PROBABILITIES) candidates.add(lowerQuantile(sorted, probability));
  return [...candidates].sort((left, right) => left - right);
}

function sketchFor(sorted: Float64Array, knots: number[]): NumericSketch {
  const knotCounts = new Array<number>(knots.length).fill(0);
  const gapCounts = new Array<number>(Math.max(knots.length - 1, 0)).fill(0);
  const gapSums = new Array<number>(gapCounts.length).fill(0);
  let knot = 0;
  for (let index = 0; index < sorted.length; index += 1) {
    const value = sorted[index];
    while (knot + 1 < knots.length && knots[knot + 1] <= value) knot += 1;
    if (value === knots[knot]) knotCounts[knot] += 1;
    else {
      gapCounts[knot] += 1;
      gapSums[knot] += value;
    }
  }
  const gapMeans = gapSums.map((sum, gap) => (gapCounts[gap] > 0 ? sum / gapCounts[gap] : 0));
  // Second pass: how far the values of each gap lie from its mean (the exact cost of collapsing it).
  const deviationSums = new Array<number>(gapCounts.length).fill(0);
  knot = 0;
  for (let index = 0; index < sorted.length; index += 1) {
    const value = sorted[index];
    while (knot + 1 < knots.length && knots[knot + 1] <= value) knot += 1;
    if (value !== knots[knot]) deviationSums[knot] += Math.abs(value - gapMeans[knot]);
  }
  const gapMeanAbsoluteDeviations = deviationSums.map((sum, gap) =>
    gapCounts[gap] > 0 ? sum / gapCounts[gap] : 0,
  );
  return { knots, knotCounts, gapCounts, gapMeans, gapMeanAbsoluteDeviations };
}

function moments(sorted: Float64Array): { mean: number; standardDeviation: number } {
  let sum = 0;
  for (let index = 0; index < sorted.length; index += 1) sum += sorted[index];
  const mean = sum / sorted.length;
  let squares = 0;
  for (let index = 0; index < sorted.length; index += 1) squares += (sorted[index] - mean) ** 2;
  return { mean, standardDeviation: Math.sqrt(squares / sorted.length) };
}

export function buildNumericProfile(column: NumericColumn, settings: ProfileSettings): NumericFeatureProfile {
  const sorted = presentValuesSorted(column);
  const missingCount = column.values.length - sorted.length;
  const distinct = distinctValues(sorted);
  const binEdges = binEdgesFor(sorted, distinct, settings.binCount);
  const sketch = sketchFor(sorted, knotsFor(sorted, distinct, binEdges, settings.sketchSize));
  const layout = numericBinLayout(sketch.knots, binEdges);
  // Every training value lies within the knots: nothing below or above.
  const binCounts = countPerBin(layout, { ...sketch, belowCount: 0, aboveCount: 0 });
  const summary = sorted.length > 0 ? moments(sorted) : null;
  return {
    kind: 'numeric',
    name: column.name,
    count: sorted.length,
    missingCount,
    mean: summary?.mean ?? null,
    standardDeviation: summary?.standardDeviation ?? null,
    min: sorted.length > 0 ? sorted[0] : null,
    max: sorted.length > 0 ? sorted[sorted.length - 1] : null,
    binEdges,
    binCounts,
    sketch,
  };
}
