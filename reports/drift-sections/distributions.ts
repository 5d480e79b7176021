/** Reference against window, bin by bin (numeric) or category by category, one chart per feature. */

import { truncateLabel } from '../escape.js';
import { paragraph, renderSection } from '../html.js';
import type { DriftDocumentData, FeatureDriftData } from '../drift-types.js';
import { chartId } from '../svg/frame.js';
import { renderGroupedBarChart } from '../svg/grouped-bar-chart.js';

/** Up to four significant digits, so an edge like 43.950000001 reads 43.95. */
function shortNumber(text: string): string {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) return text;
  return String(Number(value.toPrecision(4)));
}

/**
 * A numeric bin's axis label: "≤ upper" (or "> lower" for the last bin), which fits under a bar;
 * categories, "(other)" and "(missing)" are shown as they are.
 */
export function shortBinLabel(label: string, kind: FeatureDriftData['kind']): string {
  if (kind === 'categorical') return label;
  const interval = /^\((.+), (.+)[\])]$/.exec(label);
  if (!interval) return label;
  const [, lower, upper] = interval;
  if (upper === '+∞') return lower === '-∞' ? 'all' : `> ${shortNumber(lower)}`;
  return `≤ ${shortNumber(upper)}`;
}

export function renderDistributionChart(feature: FeatureDriftData, index: number): string {
  const labels = feature.bins.map((bin) => shortBinLabel(bin.label, feature.kind));
  return renderGroupedBarChart({
    id: chartId('chart-distribution', index),
    title: truncateLabel(feature.name, 60),
    description: `Share of rows per ${feature.kind === 'numeric' ? 'bin' : 'category'} of ${feature.name}, training reference against this window.`,
    seriesNames: ['reference (training)', 'window'],
    groups: feature.bins.map((bin, binIndex) => ({
      label: labels[binIndex],
      values: [bin.referenceShare, bin.windowShare],
    })),
    categoryLabel: feature.kind === 'numeric' ? 'bin (upper edge)' : 'category',
    valueLabel: 'share of rows',
    emptyMessage: 'No bins were recorded for this feature.',
    width: 560,
  });
}

export function renderDistributionsSection(drift: DriftDocumentData): string {
  const features = drift.prediction
    ? [...drift.features, { ...drift.prediction, name: "the model's predictions" }]
    : drift.features;
  if (features.length === 0)
    return renderSection('distributions', 'Distributions', paragraph('The report holds no features.'));
  const charts = features.map((feature, index) => {
    const empty =
      feature.windowCount === 0
        ? paragraph('No row of this window has a value for this feature: every one is missing.')
        : '';
    return `<div class="feature-block">${renderDistributionChart(feature, index)}${empty}</div>`;
  });
  return renderSection(
    'distributions',
    'Distributions',
    paragraph('Bars are shares of rows: the training data the model learned from against this window.') +
      charts.join(''),
  );
}
