/** The report's header: which model version this is, its status and how it was trained. */

import { escapeHtml } from '../escape.js';
import { formatParamValueHtml, formatTimestamp } from '../format.js';
import { badge, renderTable } from '../html.js';
import type { ModelSummary, ModelVersionReportStatus } from '../types.js';

const STATUS_TEXT: Record<ModelVersionReportStatus, { text: string; kind: 'pass' | 'fail' | 'champion' }> = {
  registered: { text: 'registered', kind: 'pass' },
  rejected: { text: 'rejected', kind: 'fail' },
  promoted: { text: 'promoted to champion', kind: 'champion' },
};

function definition(term: string, valueHtml: string): string {
  return `<dt>${escapeHtml(term)}</dt><dd>${valueHtml}</dd>`;
}

export function renderHeader(model: ModelSummary): string {
  const status = STATUS_TEXT[model.status] ?? { text: String(model.status), kind: 'neutral' as const };
  const reasons =
    model.rejectionReasons.length > 0
      ? `<div class="rejection"><h3>Rejected because</h3><ul>${model.rejectionReasons
          .map((reason) => `<li>${escapeHtml(reason)}</li>`)
          .join('')}</ul></div>`
      : '';
  const paramEntries = Object.entries(model.params);
  const params =
    paramEntries.length === 0
      ? '<p class="note">No hyperparameters: the trainer\'s defaults were used.</p>'
      : renderTable(
          [{ title: 'Parameter' }, { title: 'Value' }],
          paramEntries.map(([name, value]) => [
            `<code>${escapeHtml(name)}</code>`,
            `<code>${formatParamValueHtml(value)}</code>`,
          ]),
        );
  const facts = [
    definition('Status', badge(status.text, status.kind)),
    definition('Task', escapeHtml(model.task)),
    definition('Trainer', `<code>${escapeHtml(model.trainer)}</code>`),
    model.primaryMetric ? definition('Primary metric', escapeHtml(model.primaryMetric)) : '',
    definition('Created', escapeHtml(formatTimestamp(model.createdAt))),
    definition('Code version', `<code>${escapeHtml(model.codeVersion)}</code>`),
  ].join('');
  return (
    `<header id="summary"><h1><span class="model-name">${escapeHtml(model.name)}</span>` +
    ` <span class="model-version">version ${escapeHtml(model.version)}</span></h1>` +
    `<dl class="facts">${facts}</dl>${reasons}<h3>Hyperparameters</h3>${params}</header>`
  );
}
