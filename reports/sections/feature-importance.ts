/** Feature importance: the 20 features with the largest absolute importance, as horizontal bars. */

import { formatCount, isFiniteNumber } from '../format.js';
import { paragraph, renderSection } from '../html.js';
import { renderHorizontalBarChart } from '../svg/bar-chart.js';
import { chartId } from '../svg/frame.js';
import type { FeatureImportance, FeatureImportanceMethod } from '../types.js';

export const TOP_FEATURE_COUNT = 20;

/** Largest absolute importance first; features without a finite importance last, in input order. */
export function topFeatures(
  features: readonly FeatureImportance[],
  count = TOP_FEATURE_COUNT,
): FeatureImportance[] {
  const magnitude = (feature: FeatureImportance) =>
    isFiniteNumber(feature.importance) ? Math.abs(feature.importance) : -1;
  return features
    .map((feature, index) => ({ feature, index }))
    .sort((left, right) => magnitude(right.feature) - magnitude(left.feature) || left.index - right.index)
    .slice(0, count)
    .map(({ feature }) => feature);
}

function methodNote(method: FeatureImportanceMethod | null | undefined): string {
  if (!method) return 'Method: not recorded with this evaluation.';
  if (method.kind === 'gain')
    return "Method: the gradient boosting model's own total split gain per feature (how much its splits on the feature reduced the training loss).";
  return (
    `Method: permutation: how much ${method.metric} worsens on ${formatCount(method.rows)} held-out rows when the ` +
    "feature's values are shuffled (seeded), so numeric and categorical features compare on one scale; 0 means the model does not lean on it."
  );
}

export function renderFeatureImportanceSection(
  features: readonly FeatureImportance[],
  method?: FeatureImportanceMethod | null,
): string {
  const shown = topFeatures(features);
  const note =
    features.length > shown.length
      ? paragraph(`The ${shown.length} most important of ${features.length} features.`)
      : '';
  const chart = renderHorizontalBarChart({
    id: chartId('chart', 'feature-importance'),
    title: 'Feature importance',
    description: `Importance of the ${shown.length} most important features, largest first.`,
    bars: shown.map((feature) => ({ label: feature.feature, value: feature.importance })),
    valueLabel: 'Importance',
    categoryLabel: 'Feature',
    emptyMessage: 'No feature importance was recorded for this model.',
  });
  return renderSection(
    'feature-importance',
    'Feature importance',
    paragraph(methodNote(method)) + chart + note,
  );
}
