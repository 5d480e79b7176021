/**
 * Finds the best split of a node from its histogram. Gain is the loss reduction
 * G_L^2/(H_L+l2) + G_R^2/(H_R+l2) - G^2/(H+l2); ties keep the first candidate found, so the choice
 * is deterministic.
 */
import { HISTOGRAM_STRIDE, type HistogramLayout } from './histogram.js';

/** A child needs at least this hessian sum (scikit-learn's and LightGBM's default). */
const MIN_CHILD_HESSIAN = 1e-3;
/** Categories with fewer rows in a node stay on the right (scikit-learn's MIN_CAT_SUPPORT). */
const MIN_CATEGORY_SUPPORT = 10;
/** Smoothing added to the hessian when ordering categories by gradient / hessian. */
const CATEGORY_SMOOTHING = 10;
/** Scratch of the categorical scan, reused between calls: bin ratios, the used bins, sort space. */
const categoryRatios = new Float64Array(256);
const usedBins = new Int32Array(256);
const mergeScratch = new Int32Array(256);

export interface SplitCandidate {
  feature: number;
  gain: number;
  leftGradient: number;
  leftHessian: number;
  leftCount: number;
  missingGoesLeft: boolean;
  /** Numeric: value bins <= this go left. */
  thresholdBin: number;
  /** Categorical: bins (missing bin excluded) that go left; null for numeric splits. */
  leftBins: number[] | null;
}

export interface NodeTotals {
  gradient: number;
  hessian: number;
  count: number;
}

export interface SplitSettings {
  minSamplesLeaf: number;
  l2: number;
  layout: HistogramLayout;
  isCategorical: Uint8Array;
}

export function findBestSplit(
  histogram: Float64Array,
  features: Int32Array,
  featureCount: number,
  totals: NodeTotals,
  settings: SplitSettings,
): SplitCandidate | null {
  let best: SplitCandidate | null = null;
  for (let position = 0; position < featureCount; position++) {
    const feature = features[position];
    const candidate: SplitCandidate | null = settings.isCategorical[feature]
      ? findCategoricalSplit(histogram, feature, totals, settings, best ? best.gain : 0)
      : findNumericSplit(histogram, feature, totals, settings, best ? best.gain : 0);
    if (candidate) best = candidate;
  }
  return best;
}

function findNumericSplit(
  histogram: Float64Array,
  feature: number,
  totals: NodeTotals,
  settings: SplitSettings,
  gainToBeat: number,
): SplitCandidate | null {
  const { minSamplesLeaf, l2 } = settings;
  const base = settings.layout.offsets[feature] * HISTOGRAM_STRIDE;
  const binCount = settings.layout.slots[feature] - 1;
  const missingSlot = base + binCount * HISTOGRAM_STRIDE;
  const missingGradient = histogram[missingSlot];
  const missingHessian = histogram[missingSlot + 1];
  const missingCount = histogram[missingSlot + 2];
  const parentScore = (totals.gradient * totals.gradient) / (totals.hessian + l2);
  let best: SplitCandidate | null = null;
  let bestGain = gainToBeat;
  // Pass 0 sends missing values right, pass 1 sends them left (only when the node has some).
  for (let pass = 0; pass < (missingCount > 0 ? 2 : 1); pass++) {
    const missingLeft = pass === 1;
    let leftGradient = missingLeft ? missingGradient : 0;
    let leftHessian = missingLeft ? missingHessian : 0;
    let leftCount = missingLeft ? missingCount : 0;
    // With missing values on the right, "every value left" is a split too (values vs missing).
    const lastBin = missingLeft || missingCount === 0 ? binCount - 2 : binCount - 1;
    for (let bin = 0; bin <= lastBin; bin++) {
      const slot = base + bin * HISTOGRAM_STRIDE;
      leftGradient += histogram[slot];
      leftHessian += histogram[slot + 1];
      leftCount += histogram[slot + 2];
      if (leftCount < minSamplesLeaf) continue;
      const rightCount = totals.count - leftCount;
      if (rightCount < minSamplesLeaf) break;
      const rightHessian = totals.hessian - leftHessian;
      if (leftHessian < MIN_CHILD_HESSIAN || rightHessian < MIN_CHILD_HESSIAN) continue;
      const rightGradient = totals.gradient - leftGradient;
      const gain =
        (leftGradient * leftGradient) / (leftHessian + l2) +
        (rightGradient * rightGradient) / (rightHessian + l2) -
        parentScore;
      if (gain > bestGain) {
        bestGain = gain;
        best = {
          feature,
          gain,
          leftGradient,
          leftHessian,
          leftCount,
          // Without missing values here, unseen missing values follow the larger child.
          missingGoesLeft: missingCount > 0 ? missingLeft : leftCount >= rightCount,
          thresholdBin: bin,
          leftBins: null,
        };
      }
    }
  }
  return best;
}

function findCategoricalSplit(
  histogram: Float64Array,
  feature: number,
  totals: NodeTotals,
  settings: SplitSettings,
  gainToBeat: number,
): SplitCandidate | null {
  const { minSamplesLeaf, l2 } = settings;
  const base = settings.layout.offsets[feature] * HISTOGRAM_STRIDE;
  const binCount = settings.layout.slots[feature] - 1;
  // The missing bin takes part as a category of its own when it has enough rows.
  const used = usedBins;
  let usedCount = 0;
  for (let bin = 0; bin <= binCount; bin++) {
    const slot = base + bin * HISTOGRAM_STRIDE;
    if (histogram[slot + 2] < MIN_CATEGORY_SUPPORT) continue;
    used[usedCount++] = bin;
    categoryRatios[bin] = histogram[slot] / (histogram[slot + 1] + CATEGORY_SMOOTHING);
  }
  if (usedCount < 2) return null;
  sortBinsByRatio(usedCount);
  const parentScore = (totals.gradient * totals.gradient) / (totals.hessian + l2);
  const largestLeftSet = Math.min((usedCount + 1) >> 1, usedCount - 1);
  let bestGain = gainToBeat;
  let bestDirection = 0;
  let bestTaken = 0;
  let bestLeft: NodeTotals = { gradient: 0, hessian: 0, count: 0 };
  // Left sets are prefixes of the ordered categories, taken from either end.
  for (const direction of [1, -1]) {
    let leftGradient = 0;
    let leftHessian = 0;
    let leftCount = 0;
    for (let taken = 1; taken <= largestLeftSet; taken++) {
      const bin = used[direction === 1 ? taken - 1 : usedCount - taken];
      const slot = base + bin * HISTOGRAM_STRIDE;
      leftGradient += histogram[slot];
      leftHessian += histogram[slot + 1];
      leftCount += histogram[slot + 2];
      if (leftCount < minSamplesLeaf) continue;
      const rightCount = totals.count - leftCount;
      if (rightCount < minSamplesLeaf) break;
      const rightHessian = totals.hessian - leftHessian;
      if (leftHessian < MIN_CHILD_HESSIAN || rightHessian < MIN_CHILD_HESSIAN) continue;
      const rightGradient = totals.gradient - leftGradient;
      const gain =
        (leftGradient * leftGradient) / (leftHessian + l2) +
        (rightGradient * rightGradient) / (rightHessian + l2) -
        parentScore;
      if (gain > bestGain) {
        bestGain = gain;
        bestDirection = direction;
        bestTaken = taken;
        bestLeft = { gradient: leftGradient, hessian: leftHessian, count: leftCount };
      }
    }
  }
  if (bestDirection === 0) return null;
  const from = bestDirection === 1 ? 0 : usedCount - bestTaken;
  const prefix = Array.from(used.subarray(from, from + bestTaken));
  const missingCount = histogram[base + binCount * HISTOGRAM_STRIDE + 2];
  return {
    feature,
    gain: bestGain,
    leftGradient: bestLeft.gradient,
    leftHessian: bestLeft.hessian,
    leftCount: bestLeft.count,
    missingGoesLeft:
      missingCount > 0 ? prefix.includes(binCount) : bestLeft.count >= totals.count - bestLeft.count,
    thresholdBin: -1,
    leftBins: prefix.filter((bin) => bin !== binCount).sort((a, b) => a - b),
  };
}

/**
 * Sorts usedBins[0..count) by categoryRatios, ties by bin: a merge sort on typed arrays, several
 * times faster than Array.prototype.sort with a comparator in this hot spot.
 */
function sortBinsByRatio(count: number): void {
  let source = usedBins;
  let target = mergeScratch;
  for (let width = 1; width < count; width *= 2) {
    for (let low = 0; low < count; low += 2 * width) {
      const middle = Math.min(low + width, count);
      const high = Math.min(low + 2 * width, count);
      let left = low;
      let right = middle;
      for (let out = low; out < high; out++) {
        const takeLeft =
          right >= high ||
          (left < middle &&
            (categoryRatios[source[left]] < categoryRatios[source[right]] ||
              (categoryRatios[source[left]] === categoryRatios[source[right]] &&
                source[left] < source[right])));
        target[out] = takeLeft ? source[left++] : source[right++];
      }
    }
    [source, target] = [target, source];
  }
  if (source !== usedBins) usedBins.set(source.subarray(0, count));
}
