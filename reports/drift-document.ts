/**
 * Reads a stored drift document defensively: a report must render whatever the database holds
 * (an older format, a field left out, null where NaN was), so every field is checked and
 * anything unexpected becomes null or empty instead of reaching the HTML.
 */

import type {
  DriftBinData,
  DriftDocumentData,
  DriftThresholdsData,
  FeatureDriftData,
} from './drift-types.js';

type Loose = Record<string, unknown>;

const record = (value: unknown): Loose =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Loose) : {};
const numberOrNull = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;
const text = (value: unknown, fallback = ''): string =>
  typeof value === 'string' ? value : value === null || value === undefined ? fallback : String(value);
const texts = (value: unknown): string[] => (Array.isArray(value) ? value.map((entry) => text(entry)) : []);
const recordOrNull = (value: unknown): Loose | null =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Loose) : null;

function bin(value: unknown): DriftBinData {
  const entry = record(value);
  return {
    label: text(entry.label),
    referenceShare: numberOrNull(entry.referenceShare),
    windowShare: numberOrNull(entry.windowShare),
  };
}

export function readFeatureDrift(value: unknown): FeatureDriftData {
  const entry = record(value);
  const ks = recordOrNull(entry.kolmogorovSmirnov);
  const wasserstein = recordOrNull(entry.wasserstein);
  const chiSquare = recordOrNull(entry.chiSquare);
  return {
    name: text(entry.name, '(unnamed)'),
    kind: entry.kind === 'categorical' ? 'categorical' : 'numeric',
    referenceCount: numberOrNull(entry.referenceCount),
    windowCount: numberOrNull(entry.windowCount),
    referenceMissingShare: numberOrNull(entry.referenceMissingShare),
    windowMissingShare: numberOrNull(entry.windowMissingShare),
    populationStabilityIndex: numberOrNull(entry.populationStabilityIndex),
    jensenShannonDistance: numberOrNull(entry.jensenShannonDistance),
    kolmogorovSmirnov: ks && { statistic: numberOrNull(ks.statistic), pValue: numberOrNull(ks.pValue) },
    wasserstein: wasserstein && {
      distance: numberOrNull(wasserstein.distance),
      normalized: numberOrNull(wasserstein.normalized),
    },
    chiSquare: chiSquare && {
      statistic: numberOrNull(chiSquare.statistic),
      pValue: numberOrNull(chiSquare.pValue),
      degreesOfFreedom: numberOrNull(chiSquare.degreesOfFreedom),
    },
    bins: Array.isArray(entry.bins) ? entry.bins.map(bin) : [],
    unavailable: texts(entry.unavailable),
    severity: text(entry.severity, 'unknown'),
    drifted: entry.drifted === true,
    reasons: texts(entry.reasons),
  };
}

function thresholds(value: unknown): DriftThresholdsData {
  const entry = record(value);
  return {
    psiModerate: numberOrNull(entry.psiModerate),
    psiSignificant: numberOrNull(entry.psiSignificant),
    jensenShannon: numberOrNull(entry.jensenShannon),
    wasserstein: numberOrNull(entry.wasserstein),
    datasetDriftShare: numberOrNull(entry.datasetDriftShare),
  };
}

export function readDriftDocument(value: unknown): DriftDocumentData {
  const document = record(value);
  const verdict = record(document.verdict);
  return {
    referenceRowCount: numberOrNull(document.referenceRowCount),
    windowRowCount: numberOrNull(document.windowRowCount),
    thresholds: thresholds(document.thresholds),
    features: Array.isArray(document.features) ? document.features.map(readFeatureDrift) : [],
    prediction: recordOrNull(document.prediction) ? readFeatureDrift(document.prediction) : null,
    verdict: {
      drifted: verdict.drifted === true,
      driftedFeatureCount: numberOrNull(verdict.driftedFeatureCount),
      featureCount: numberOrNull(verdict.featureCount),
      driftedShare: numberOrNull(verdict.driftedShare),
      threshold: numberOrNull(verdict.threshold),
      driftedFeatures: texts(verdict.driftedFeatures),
    },
    warnings: texts(document.warnings),
  };
}
