/** The drift report: plain JSON, one entry per profiled feature plus a dataset-level verdict. */

import type { DriftSeverity, DriftThresholds } from './thresholds.js';

export const DRIFT_REPORT_FORMAT = 'mlops.drift-report/v1';

export interface DriftBin {
  /** "(-∞, 3.5]", a category name, "(other)" or "(missing)". */
  readonly label: string;
  readonly referenceShare: number;
  readonly windowShare: number;
}

export interface KolmogorovSmirnovDrift {
  /** KS statistic evaluated at every sketch knot (exact when every training value is a knot). */
  readonly statistic: number;
  /** The true two-sample statistic lies in [statistic, statisticUpperBound]. */
  readonly statisticUpperBound: number;
  /** p-value of `statistic` for the full reference and window sizes, as scipy's ks_2samp(method='auto'). */
  readonly pValue: number;
  readonly method: 'exact' | 'asymp';
}

export interface WassersteinDrift {
  /** First Wasserstein distance in the feature's own units. */
  readonly distance: number;
  /** distance / reference standard deviation; null when the reference is constant. */
  readonly normalized: number | null;
  /** |distance - exact distance| <= errorBound (from collapsing each sketch gap to its mean). */
  readonly errorBound: number;
}

export interface ChiSquareDrift {
  /** scipy.stats.chi2_contingency([reference counts, window counts]) over non-empty buckets. */
  readonly statistic: number;
  readonly pValue: number;
  readonly degreesOfFreedom: number;
}

export interface FeatureDrift {
  readonly name: string;
  readonly kind: 'numeric' | 'categorical';
  /** Rows with a value, on each side. */
  readonly referenceCount: number;
  readonly windowCount: number;
  readonly referenceMissingShare: number;
  readonly windowMissingShare: number;
  /** Over the PSI bins (numeric) or buckets (categorical), plus a missing bin when either side has one. */
  readonly populationStabilityIndex: number;
  readonly jensenShannonDistance: number;
  /** Numeric only; null (with a reason in `unavailable`) when either side has no values. */
  readonly kolmogorovSmirnov: KolmogorovSmirnovDrift | null;
  readonly wasserstein: WassersteinDrift | null;
  /** Categorical only. */
  readonly chiSquare: ChiSquareDrift | null;
  /** Numeric only: the window's mean and standard deviation next to the reference's. */
  readonly moments: {
    reference: { mean: number | null; standardDeviation: number | null };
    window: { mean: number | null; standardDeviation: number | null };
  } | null;
  readonly bins: DriftBin[];
  /** Why a statistic above is null. */
  readonly unavailable: string[];
  readonly severity: DriftSeverity;
  readonly drifted: boolean;
  /** The thresholds this feature crossed, in words. */
  readonly reasons: string[];
}

export interface DriftVerdict {
  readonly drifted: boolean;
  readonly driftedFeatureCount: number;
  readonly featureCount: number;
  readonly driftedShare: number;
  readonly threshold: number;
  readonly driftedFeatures: string[];
}

export interface DriftReport {
  readonly format: typeof DRIFT_REPORT_FORMAT;
  readonly referenceRowCount: number;
  readonly windowRowCount: number;
  readonly thresholds: DriftThresholds;
  readonly features: FeatureDrift[];
  /** Drift of the model's predictions; null when the profile or the window has none. Not part of the verdict. */
  readonly prediction: FeatureDrift | null;
  readonly verdict: DriftVerdict;
  /** Caveats about this window, e.g. one too small for PSI and Jensen–Shannon to be reliable. */
  readonly warnings: string[];
}
