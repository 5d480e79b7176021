/**
 * What a drift report shows: one monitored window of a model (its drift document as ml/drift's
 * accumulator wrote it, after a JSON round trip), the windows before it and what happened to the
 * model meanwhile. Numbers may be null: JSON turns NaN and infinities into null.
 */

export interface DriftBinData {
  /** "(-∞, 3.5]", a category, "(other)" or "(missing)". */
  readonly label: string;
  readonly referenceShare: number | null;
  readonly windowShare: number | null;
}

export interface FeatureDriftData {
  readonly name: string;
  readonly kind: 'numeric' | 'categorical';
  readonly referenceCount: number | null;
  readonly windowCount: number | null;
  readonly referenceMissingShare: number | null;
  readonly windowMissingShare: number | null;
  readonly populationStabilityIndex: number | null;
  readonly jensenShannonDistance: number | null;
  readonly kolmogorovSmirnov: { readonly statistic: number | null; readonly pValue: number | null } | null;
  readonly wasserstein: { readonly distance: number | null; readonly normalized: number | null } | null;
  readonly chiSquare: {
    readonly statistic: number | null;
    readonly pValue: number | null;
    readonly degreesOfFreedom: number | null;
  } | null;
  readonly bins: readonly DriftBinData[];
  readonly unavailable: readonly string[];
  readonly severity: string;
  readonly drifted: boolean;
  readonly reasons: readonly string[];
}

export interface DriftThresholdsData {
  readonly psiModerate: number | null;
  readonly psiSignificant: number | null;
  readonly jensenShannon: number | null;
  readonly wasserstein: number | null;
  readonly datasetDriftShare: number | null;
}

export interface DriftDocumentData {
  readonly referenceRowCount: number | null;
  readonly windowRowCount: number | null;
  readonly thresholds: DriftThresholdsData;
  readonly features: readonly FeatureDriftData[];
  readonly prediction: FeatureDriftData | null;
  readonly verdict: {
    readonly drifted: boolean;
    readonly driftedFeatureCount: number | null;
    readonly featureCount: number | null;
    readonly driftedShare: number | null;
    readonly threshold: number | null;
    readonly driftedFeatures: readonly string[];
  };
  readonly warnings: readonly string[];
}

export interface LiveMetricData {
  readonly name: string;
  readonly value: number | null;
  readonly testValue: number | null;
  readonly lowerIsBetter: boolean;
  readonly labeled: number | null;
}

/** One earlier (or this) window, for the charts over time. */
export interface DriftHistoryPoint {
  readonly id: number;
  readonly version: number;
  /** ISO timestamps. */
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly rows: number;
  readonly drifted: boolean;
  readonly maxPsi: number | null;
  readonly liveMetric: LiveMetricData | null;
}

export interface DriftEventData {
  /** ISO timestamp. */
  readonly at: string;
  /** retrain, training, register, promote, rollback, canary-start, canary-promote, … */
  readonly action: string;
  readonly actor: string;
  readonly detail: string | null;
}

export interface DriftReportData {
  readonly model: { readonly name: string; readonly version: number };
  readonly window: DriftHistoryPoint;
  /** The stored drift document; anything malformed in it is shown as missing, never trusted. */
  readonly drift: unknown;
  /** Windows up to and including this one, oldest first. */
  readonly history: readonly DriftHistoryPoint[];
  /** Events over the history's span, oldest first. */
  readonly events: readonly DriftEventData[];
  readonly generatedAt?: string;
}
