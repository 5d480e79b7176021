/** One numeric feature, reference profile against window: PSI, Jensen–Shannon, KS and Wasserstein. */

import { kolmogorovSmirnovTwoSamplePValue } from '../stats/ks-two-sample.js';
import { jensenShannonDistance, populationStabilityIndex, wassersteinDistance } from './distances.js';
import { countPerBin, numericBinLayout } from './numeric-bins.js';
import type { NumericWindow } from './numeric-window.js';
import type { NumericFeatureProfile } from './profile-types.js';
import { MISSING_LABEL, toBins } from './report-bins.js';
import type { FeatureDrift, KolmogorovSmirnovDrift, WassersteinDrift } from './report-types.js';
import { type DriftThresholds, judgeFeature } from './thresholds.js';

function windowBinCounts(
  profile: NumericFeatureProfile,
  window: NumericWindow,
): { reference: number[]; window: number[]; labels: string[] } {
  const layout = numericBinLayout(profile.sketch.knots, profile.binEdges);
  const counts = countPerBin(layout, window);
  const reference = [...profile.binCounts];
  const labels = [...layout.labels];
  // Missing values get their own bin whenever either side has any, so a change in the missing rate shows.
  if (profile.missingCount > 0 || window.missingCount > 0) {
    reference.push(profile.missingCount);
    counts.push(window.missingCount);
    labels.push(MISSING_LABEL);
  }
  return { reference, window: counts, labels };
}

/** KS evaluated just below and at every knot, where both empirical CDFs are known exactly. */
function kolmogorovSmirnovAtKnots(
  profile: NumericFeatureProfile,
  window: NumericWindow,
): KolmogorovSmirnovDrift {
  const { knotCounts, gapCounts } = profile.sketch;
  const referenceSize = profile.count;
  const windowSize = window.count;
  let referenceBefore = 0;
  let windowBefore = window.belowCount;
  let statistic = 0;
  let largestGapShare = 0;
  for (let knot = 0; knot < knotCounts.length; knot += 1) {
    statistic = Math.max(statistic, Math.abs(referenceBefore / referenceSize - windowBefore / windowSize));
    const referenceAt = referenceBefore + knotCounts[knot];
    const windowAt = windowBefore + window.knotCounts[knot];
    statistic = Math.max(statistic, Math.abs(referenceAt / referenceSize - windowAt / windowSize));
    if (knot < gapCounts.length) {
      referenceBefore = referenceAt + gapCounts[knot];
      windowBefore = windowAt + window.gapCounts[knot];
      largestGapShare = Math.max(largestGapShare, gapCounts[knot] / referenceSize);
    }
  }
  const test = kolmogorovSmirnovTwoSamplePValue({
    statistic,
    sizeA: referenceSize,
    sizeB: windowSize,
    method: 'auto',
  });
  return {
    statistic: test.statistic,
    statisticUpperBound: Math.min(1, test.statistic + largestGapShare),
    pValue: test.pValue,
    method: test.method,
  };
}

/** Exact W1 between the two distributions after moving each gap's mass to the gap's mean. */
function wassersteinFromSketch(profile: NumericFeatureProfile, window: NumericWindow): WassersteinDrift {
  const { knots, knotCounts, gapCounts, gapMeans, gapMeanAbsoluteDeviations } = profile.sketch;
  const referenceValues: number[] = [...knots];
  const referenceWeights: number[] = [...knotCounts];
  const windowValues: number[] = [...knots];
  const windowWeights: number[] = Array.from(window.knotCounts);
  let errorBound = 0;
  for (let gap = 0; gap < gapCounts.length; gap += 1) {
    if (gapCounts[gap] > 0) {
      referenceValues.push(gapMeans[gap]);
      referenceWeights.push(gapCounts[gap]);
    }
    // W1(P, collapsed P) is exactly Σ share × mean |x - gap mean| on the reference side.
    errorBound += (gapCounts[gap] * gapMeanAbsoluteDeviations[gap]) / profile.count;
    const windowGapCount = window.gapCounts[gap];
    if (windowGapCount > 0) {
      const windowGapMean = window.gapSums[gap] / windowGapCount;
      windowValues.push(windowGapMean);
      windowWeights.push(windowGapCount);
      // Σ|x - window mean| <= Σ|x - center| + n·|center - window mean|, and never more than n·width/2.
      const viaCenter =
        window.gapDeviationSums[gap] + windowGapCount * Math.abs(window.gapCenters[gap] - windowGapMean);
      const viaWidth = (windowGapCount * (knots[gap + 1] - knots[gap])) / 2;
      errorBound += Math.min(viaCenter, viaWidth) / window.count;
    }
  }
  // Beyond the training range the reference CDF is flat, so collapsing the window's tails is exact.
  if (window.belowCount > 0) {
    windowValues.push(knots[0] - window.belowDistanceSum / window.belowCount);
    windowWeights.push(window.belowCount);
  }
  if (window.aboveCount > 0) {
    windowValues.push(knots[knots.length - 1] + window.aboveDistanceSum / window.aboveCount);
    windowWeights.push(window.aboveCount);
  }
  const distance = wassersteinDistance(referenceValues, windowValues, {
    weightsA: referenceWeights,
    weightsB: windowWeights,
  });
  const spread = profile.standardDeviation ?? 0;
  const normalized = spread > 0 ? distance / spread : distance === 0 ? 0 : null;
  return { distance, normalized, errorBound };
}

export function compareNumericFeature(
  profile: NumericFeatureProfile,
  window: NumericWindow,
  thresholds: DriftThresholds,
): FeatureDrift {
  const bins = windowBinCounts(profile, window);
  const populationStability = populationStabilityIndex(bins.reference, bins.window);
  const jensenShannon = jensenShannonDistance(bins.reference, bins.window);
  const unavailable: string[] = [];
  let kolmogorovSmirnov: KolmogorovSmirnovDrift | null = null;
  let wasserstein: WassersteinDrift | null = null;
  if (profile.count === 0)
    unavailable.push('KS and Wasserstein: every training value of this feature is missing');
  else if (window.count === 0)
    unavailable.push('KS and Wasserstein: every window value of this feature is missing');
  else {
    kolmogorovSmirnov = kolmogorovSmirnovAtKnots(profile, window);
    wasserstein = wassersteinFromSketch(profile, window);
    if (wasserstein.normalized === null) {
      unavailable.push(
        'normalized Wasserstein: the training values are constant (standard deviation 0); see PSI',
      );
    }
  }
  const judgement = judgeFeature(
    {
      populationStabilityIndex: populationStability,
      jensenShannonDistance: jensenShannon,
      normalizedWasserstein: wasserstein?.normalized ?? null,
    },
    thresholds,
  );
  const referenceTotal = profile.count + profile.missingCount;
  const windowTotal = window.count + window.missingCount;
  return {
    name: profile.name,
    kind: 'numeric',
    referenceCount: profile.count,
    windowCount: window.count,
    referenceMissingShare: profile.missingCount / referenceTotal,
    windowMissingShare: window.missingCount / windowTotal,
    populationStabilityIndex: populationStability,
    jensenShannonDistance: jensenShannon,
    kolmogorovSmirnov,
    wasserstein,
    chiSquare: null,
    moments: {
      reference: { mean: profile.mean, standardDeviation: profile.standardDeviation },
      window: { mean: window.mean, standardDeviation: window.standardDeviation },
    },
    bins: toBins(bins.labels, bins.reference, bins.window),
    unavailable,
    severity: judgement.severity,
    drifted: judgement.severity !== 'none',
    reasons: judgement.reasons,
  };
}
