/**
 * Calibration (reliability) curve for one positive class, as scikit-learn's
 * `calibration_curve(strategy='uniform')`: `binCount` equal-width bins over [0, 1] with edges
 * i / binCount, a score exactly on an inner edge going to the lower bin, and only non-empty bins
 * reported.
 */

export interface CalibrationBin {
  /** Mean predicted probability of the rows in the bin. */
  readonly meanPredicted: number;
  /** Share of those rows that are actually positive. */
  readonly fractionPositive: number;
  readonly count: number;
}

export function calibrationCurve(
  isPositive: ArrayLike<number>,
  scores: ArrayLike<number>,
  binCount = 10,
): CalibrationBin[] {
  const step = 1 / binCount;
  const innerEdges = Array.from({ length: binCount - 1 }, (_, index) => (index + 1) * step);
  const scoreSums = new Float64Array(binCount);
  const positiveCounts = new Float64Array(binCount);
  const counts = new Float64Array(binCount);
  for (let row = 0; row < scores.length; row += 1) {
    const score = scores[row];
    // Number of inner edges strictly below the score (numpy.searchsorted, side='left').
    let low = 0;
    let high = innerEdges.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (innerEdges[middle] < score) low = middle + 1;
      else high = middle;
    }
    scoreSums[low] += score;
    positiveCounts[low] += isPositive[row];
    counts[low] += 1;
  }
  const bins: CalibrationBin[] = [];
  for (let bin = 0; bin < binCount; bin += 1) {
    if (counts[bin] === 0) continue;
    bins.push({
      meanPredicted: scoreSums[bin] / counts[bin],
      fractionPositive: positiveCounts[bin] / counts[bin],
      count: counts[bin],
    });
  }
  return bins;
}
