/** Holdout metrics: the headline table and, for classifiers, the per-class scores. */

import { escapeHtml } from '../escape.js';
import { formatCount, formatNumber } from '../format.js';
import { paragraph, renderSection, renderTable } from '../html.js';
import { metricRows } from '../metric-rows.js';
import type { EvaluationResult } from '../types.js';

export function renderMetricsSection(evaluation: EvaluationResult): string {
  const rows = metricRows(evaluation);
  const headline = renderTable(
    [{ title: 'Metric' }, { title: 'Value', numeric: true }, { title: 'Better when' }],
    rows.map((row) => [
      escapeHtml(row.label),
      formatNumber(row.value),
      row.lowerIsBetter ? 'lower' : 'higher',
    ]),
  );
  const rowCount = `<p>Evaluated on ${formatCount(evaluation.metrics.rowCount)} held-out rows.</p>`;
  if (evaluation.kind === 'regression') return renderSection('metrics', 'Metrics', rowCount + headline);

  const { metrics } = evaluation;
  const notes = [
    metrics.rocAucNote ? paragraph(metrics.rocAucNote) : '',
    paragraph(`Brier score: ${metrics.brierScoreDefinition}.`),
  ];
  const perClass = renderTable(
    [
      { title: 'Class' },
      { title: 'Precision', numeric: true },
      { title: 'Recall', numeric: true },
      { title: 'F1', numeric: true },
      { title: 'Support', numeric: true },
      { title: 'Predicted', numeric: true },
    ],
    (metrics.perClass ?? []).map((entry) => [
      escapeHtml(entry.label),
      formatNumber(entry.precision),
      formatNumber(entry.recall),
      formatNumber(entry.f1),
      formatCount(entry.support),
      formatCount(entry.predictedCount),
    ]),
  );
  return renderSection(
    'metrics',
    'Metrics',
    rowCount + headline + notes.join('') + '<h3>Per class</h3>' + perClass,
  );
}
