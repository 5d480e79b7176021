/**
 * When a feature counts as drifted, and when the whole dataset does.
 *
 * Severity of a feature:
 * - "significant": PSI >= psiSignificant (default 0.25, the usual "act on it" level);
 * - "moderate": PSI >= psiModerate (0.1), or Jensen–Shannon distance >= jensenShannon (0.1), or
 *   normalized Wasserstein distance >= wasserstein (0.1, i.e. a tenth of the reference standard
 *   deviation);
 * - "none" otherwise. A feature is drifted when its severity is not "none".
 * The dataset drifts when the share of drifted features is >= datasetDriftShare (default 0.5).
 *
 * KS and chi-square p-values are reported but do not decide: with the window sizes monitoring
 * sees (thousands to millions of rows) they flag differences far too small to matter.
 */

import { DriftInputError } from './errors.js';

export interface DriftThresholds {
  readonly psiModerate: number;
  readonly psiSignificant: number;
  readonly jensenShannon: number;
  readonly wasserstein: number;
  readonly datasetDriftShare: number;
}

export const DEFAULT_DRIFT_THRESHOLDS: DriftThresholds = {
  psiModerate: 0.1,
  psiSignificant: 0.25,
  jensenShannon: 0.1,
  wasserstein: 0.1,
  datasetDriftShare: 0.5,
};

export type DriftSeverity = 'none' | 'moderate' | 'significant';

export function resolveThresholds(overrides: Partial<DriftThresholds> = {}): DriftThresholds {
  const thresholds = { ...DEFAULT_DRIFT_THRESHOLDS, ...overrides };
  for (const [name, value] of Object.entries(thresholds)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new DriftInputError(`drift threshold ${name} must be a finite number >= 0, got ${String(value)}`);
    }
  }
  if (thresholds.psiModerate > thresholds.psiSignificant) {
    throw new DriftInputError(
      `psiModerate (${thresholds.psiModerate}) must not exceed psiSignificant (${thresholds.psiSignificant})`,
    );
  }
  if (thresholds.datasetDriftShare === 0 || thresholds.datasetDriftShare > 1) {
    throw new DriftInputError(`datasetDriftShare must lie in (0, 1], got ${thresholds.datasetDriftShare}`);
  }
  return thresholds;
}

/** The severity of one feature and the thresholds it crossed, in words for the report. */
export function judgeFeature(
  measures: {
    populationStabilityIndex: number;
    jensenShannonDistance: number;
    normalizedWasserstein: number | null;
  },
  thresholds: DriftThresholds,
): { severity: DriftSeverity; reasons: string[] } {
  const reasons: string[] = [];
  const psi = measures.populationStabilityIndex;
  if (psi >= thresholds.psiSignificant) reasons.push(`PSI ${psi.toFixed(4)} >= ${thresholds.psiSignificant}`);
  else if (psi >= thresholds.psiModerate) reasons.push(`PSI ${psi.toFixed(4)} >= ${thresholds.psiModerate}`);
  if (measures.jensenShannonDistance >= thresholds.jensenShannon) {
    reasons.push(
      `Jensen–Shannon ${measures.jensenShannonDistance.toFixed(4)} >= ${thresholds.jensenShannon}`,
    );
  }
  const wasserstein = measures.normalizedWasserstein;
  if (wasserstein !== null && wasserstein >= thresholds.wasserstein) {
    reasons.push(`normalized Wasserstein ${wasserstein.toFixed(4)} >= ${thresholds.wasserstein}`);
  }
  const severity: DriftSeverity =
    psi >= thresholds.psiSignificant ? 'significant' : reasons.length > 0 ? 'moderate' : 'none';
  return { severity, reasons };
}
