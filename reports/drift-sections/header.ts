/** The drift report's header: which model, which window, and the window's verdict at a glance. */

import { escapeHtml } from '../escape.js';
import { formatCount, formatTimestamp } from '../format.js';
import { badge } from '../html.js';
import type { DriftDocumentData, DriftHistoryPoint } from '../drift-types.js';

function definition(term: string, valueHtml: string): string {
  return `<dt>${escapeHtml(term)}</dt><dd>${valueHtml}</dd>`;
}

export function renderDriftHeader(
  model: { readonly name: string; readonly version: number },
  window: DriftHistoryPoint,
  drift: DriftDocumentData,
): string {
  const verdict = window.drifted ? badge('drift', 'fail') : badge('no drift', 'pass');
  const facts = [
    definition('Verdict', verdict),
    definition('Served version', escapeHtml(`v${model.version}`)),
    definition(
      'Window',
      `${escapeHtml(formatTimestamp(window.windowStart))} → ${escapeHtml(formatTimestamp(window.windowEnd))}`,
    ),
    definition('Predictions in the window', escapeHtml(formatCount(window.rows))),
    definition('Reference rows (training)', escapeHtml(formatCount(drift.referenceRowCount))),
    definition('Drift report id', escapeHtml(window.id)),
  ].join('');
  return (
    `<header id="summary"><h1><span class="model-name">${escapeHtml(model.name)}</span>` +
    ` <span class="model-version">drift report</span></h1><dl class="facts">${facts}</dl></header>`
  );
}
