/** One categorical feature, reference profile against window: PSI, Jensen–Shannon and chi-square. */

import { chiSquareContingency } from '../stats/chi-square-test.js';
import type { CategoricalWindow } from './categorical-window.js';
import { jensenShannonDistance, populationStabilityIndex } from './distances.js';
import type { CategoricalFeatureProfile } from './profile-types.js';
import { MISSING_LABEL, OTHER_LABEL, toBins } from './report-bins.js';
import type { ChiSquareDrift, FeatureDrift } from './report-types.js';
import { type DriftThresholds, judgeFeature } from './thresholds.js';

/**
 * Homogeneity test of the two count rows, as scipy.stats.chi2_contingency computes it (Yates'
 * correction at one degree of freedom). Buckets empty on both sides are left out, since they
 * carry no information and SciPy refuses zero expected counts.
 */
function chiSquareOnBuckets(reference: number[], window: number[]): ChiSquareDrift {
  const used = reference
    .map((_, bucket) => bucket)
    .filter((bucket) => reference[bucket] + window[bucket] > 0);
  const result = chiSquareContingency([
    used.map((bucket) => reference[bucket]),
    used.map((bucket) => window[bucket]),
  ]);
  return { statistic: result.statistic, pValue: result.pValue, degreesOfFreedom: result.degreesOfFreedom };
}

export function compareCategoricalFeature(
  profile: CategoricalFeatureProfile,
  window: CategoricalWindow,
  thresholds: DriftThresholds,
): FeatureDrift {
  const reference = [...profile.categoryCounts, profile.otherCount, profile.missingCount];
  const windowCounts = Array.from(window.bucketCounts);
  const labels = [...profile.categories, OTHER_LABEL, MISSING_LABEL];
  // "(other)" and "(missing)" only appear in the report when either side has such rows.
  const shown = labels
    .map((_, bucket) => bucket)
    .filter((bucket) => bucket < profile.categories.length || reference[bucket] + windowCounts[bucket] > 0);
  const populationStability = populationStabilityIndex(reference, windowCounts);
  const jensenShannon = jensenShannonDistance(reference, windowCounts);
  const judgement = judgeFeature(
    {
      populationStabilityIndex: populationStability,
      jensenShannonDistance: jensenShannon,
      normalizedWasserstein: null,
    },
    thresholds,
  );
  return {
    name: profile.name,
    kind: 'categorical',
    referenceCount: profile.count,
    windowCount: window.count,
    referenceMissingShare: profile.missingCount / (profile.count + profile.missingCount),
    windowMissingShare: window.missingCount / (window.count + window.missingCount),
    populationStabilityIndex: populationStability,
    jensenShannonDistance: jensenShannon,
    kolmogorovSmirnov: null,
    wasserstein: null,
    chiSquare: chiSquareOnBuckets(reference, windowCounts),
    moments: null,
    bins: toBins(
      shown.map((bucket) => labels[bucket]),
      shown.map((bucket) => reference[bucket]),
      shown.map((bucket) => windowCounts[bucket]),
    ),
    unavailable: [],
    severity: judgement.severity,
    drifted: judgement.severity !== 'none',
    reasons: judgement.reasons,
  };
}
