/** The dataset-level verdict: how many features drifted against the share that makes the dataset drift. */

import { escapeHtml } from '../escape.js';
import { formatCount, formatNumber } from '../format.js';
import { paragraph, renderSection, renderTable } from '../html.js';
import type { DriftDocumentData } from '../drift-types.js';

const percent = (share: number | null) => (share === null ? '–' : `${formatNumber(share * 100, 1)}%`);

export function renderVerdictSection(drift: DriftDocumentData): string {
  const { verdict, thresholds } = drift;
  const summary =
    `${formatCount(verdict.driftedFeatureCount)} of ${formatCount(verdict.featureCount)} features drifted ` +
    `(${percent(verdict.driftedShare)}); the dataset counts as drifted at ${percent(verdict.threshold)} or more: ` +
    (verdict.drifted ? 'it drifted.' : 'it did not drift.');
  const drifted =
    verdict.driftedFeatures.length > 0
      ? `<p>Drifted features: ${verdict.driftedFeatures.map((name) => `<code>${escapeHtml(name)}</code>`).join(', ')}</p>`
      : '';
  const warnings =
    drift.warnings.length > 0
      ? `<ul class="warnings">${drift.warnings.map((warning) => `<li>${escapeHtml(warning)}</li>`).join('')}</ul>`
      : '';
  const table = renderTable(
    [{ title: 'Threshold' }, { title: 'Value', numeric: true }, { title: 'Meaning' }],
    [
      ['PSI, moderate', thresholds.psiModerate, 'a feature drifted (moderate)'],
      ['PSI, significant', thresholds.psiSignificant, 'a feature drifted (significant)'],
      ['Jensen–Shannon distance', thresholds.jensenShannon, 'a feature drifted (moderate)'],
      ['Wasserstein / reference std', thresholds.wasserstein, 'a numeric feature drifted (moderate)'],
      ['Share of drifted features', thresholds.datasetDriftShare, 'the dataset drifted'],
    ].map(([name, value, meaning]) => [
      escapeHtml(name),
      escapeHtml(formatNumber(value, 3)),
      escapeHtml(meaning),
    ]),
  );
  return renderSection(
    'verdict',
    'Dataset verdict',
    `<p class="verdict summary">${escapeHtml(summary)}</p>${drifted}${warnings}` +
      `<h3>Thresholds</h3>${table}` +
      paragraph(
        'KS and chi-square p-values are shown but do not decide: on large windows they flag differences too small to matter.',
      ),
  );
}
