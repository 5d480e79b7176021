/** Every feature's statistics next to the thresholds they are judged by, and why it drifted. */

import { escapeHtml } from '../escape.js';
import { formatCount, formatNumber, MISSING } from '../format.js';
import { badge, paragraph, renderSection, renderTable } from '../html.js';
import type { DriftDocumentData, DriftThresholdsData, FeatureDriftData } from '../drift-types.js';

const SEVERITY_BADGE: Record<string, 'pass' | 'fail' | 'neutral'> = {
  none: 'pass',
  moderate: 'fail',
  significant: 'fail',
};

const share = (value: number | null) => (value === null ? MISSING : `${formatNumber(value * 100, 1)}%`);
const threshold = (value: number | null) => formatNumber(value, 3);

/** The statistic with its p-value beneath it, or "–". */
function withPValue(statistic: number | null | undefined, pValue: number | null | undefined): string {
  if (statistic === null || statistic === undefined) return MISSING;
  const note =
    pValue === null || pValue === undefined
      ? ''
      : `<br><span class="threshold">p ${escapeHtml(formatNumber(pValue, 4))}</span>`;
  return `${escapeHtml(formatNumber(statistic))}${note}`;
}

/** A statistic with the thresholds it is judged by beneath it, so each row reads on its own. */
function judged(value: string, ...limits: string[]): string {
  return `${escapeHtml(value)}${limits.map((limit) => `<br><span class="threshold">${escapeHtml(limit)}</span>`).join('')}`;
}

function featureRow(feature: FeatureDriftData, thresholds: DriftThresholdsData): string[] {
  const why = [...feature.reasons, ...feature.unavailable];
  return [
    `<code>${escapeHtml(feature.name)}</code><br><span class="feature-kind">${escapeHtml(feature.kind)}</span>`,
    `${escapeHtml(formatCount(feature.windowCount))} / ${escapeHtml(formatCount(feature.referenceCount))}`,
    `${escapeHtml(share(feature.windowMissingShare))} / ${escapeHtml(share(feature.referenceMissingShare))}`,
    judged(
      formatNumber(feature.populationStabilityIndex),
      `drift ≥ ${threshold(thresholds.psiModerate)}`,
      `significant ≥ ${threshold(thresholds.psiSignificant)}`,
    ),
    judged(formatNumber(feature.jensenShannonDistance), `drift ≥ ${threshold(thresholds.jensenShannon)}`),
    feature.kind === 'categorical'
      ? withPValue(feature.chiSquare?.statistic, feature.chiSquare?.pValue)
      : withPValue(feature.kolmogorovSmirnov?.statistic, feature.kolmogorovSmirnov?.pValue),
    feature.kind === 'numeric'
      ? judged(formatNumber(feature.wasserstein?.normalized), `drift ≥ ${threshold(thresholds.wasserstein)}`)
      : MISSING,
    badge(feature.severity, SEVERITY_BADGE[feature.severity] ?? 'neutral'),
    why.length > 0 ? why.map((reason) => escapeHtml(reason)).join('<br>') : '',
  ];
}

export function featureTable(features: readonly FeatureDriftData[], thresholds: DriftThresholdsData): string {
  const table = renderTable(
    [
      { title: 'Feature' },
      { title: 'Rows (window / training)', numeric: true },
      { title: 'Missing (window / training)', numeric: true },
      { title: 'PSI', numeric: true },
      { title: 'Jensen–Shannon', numeric: true },
      { title: 'KS / chi-square', numeric: true },
      { title: 'Wasserstein / std', numeric: true },
      { title: 'Severity' },
      { title: 'Why' },
    ],
    features.map((feature) => featureRow(feature, thresholds)),
    features.map((feature) => (feature.drifted ? 'row-fail' : '')),
  );
  return `<div class="table-scroll">${table}</div>`;
}

export function renderFeaturesSection(drift: DriftDocumentData): string {
  const content =
    drift.features.length === 0
      ? paragraph('The report holds no features.')
      : featureTable(drift.features, drift.thresholds);
  const prediction = drift.prediction
    ? `<h3>The model's predictions</h3>${featureTable([drift.prediction], drift.thresholds)}` +
      paragraph('Prediction drift is shown for information; it is not part of the verdict.')
    : '';
  return renderSection('features', 'Statistics per feature', content + prediction);
}
