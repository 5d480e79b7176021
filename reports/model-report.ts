/**
 * The HTML report of one model version: a single self-contained document (inline CSS and inline
 * SVG, no scripts, fonts, images or external references) that renders offline. Its Content
 * Security Policy forbids scripts and every external load, as a second line of defence behind
 * the escaping of every user-provided string.
 */

import { escapeHtml } from './escape.js';
import { formatTimestamp } from './format.js';
import { renderEvaluationCharts } from './sections/evaluation-charts.js';
import { renderFairnessSection } from './sections/fairness.js';
import { renderFeatureImportanceSection } from './sections/feature-importance.js';
import { renderGatesSection } from './sections/gates.js';
import { renderHeader } from './sections/header.js';
import { renderLineageSection } from './sections/lineage.js';
import { renderMetricsSection } from './sections/metrics.js';
import { renderTrainingSection } from './sections/training.js';
import { renderTrialsSection } from './sections/trials.js';
import { REPORT_CSS } from './styles.js';
import type { ModelReportData } from './types.js';

const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

function renderNavigation(data: ModelReportData): string {
  const links: [string, string][] = [
    ['metrics', 'Metrics'],
    ['gates', 'Gates'],
    ...(data.evaluation.kind === 'classification'
      ? [['evaluation-charts', 'ROC and calibration'] as [string, string]]
      : []),
    ['feature-importance', 'Feature importance'],
    ['fairness', 'Fairness'],
    ['training', 'Training'],
    ...(data.tuning ? [['trials', 'Trials'] as [string, string]] : []),
    ['lineage', 'Lineage'],
  ];
  return `<nav>${links.map(([id, text]) => `<a href="#${id}">${text}</a>`).join('')}</nav>`;
}

export function renderModelReport(data: ModelReportData): string {
  const { model } = data;
  const documentTitle = `${model.name} v${model.version} — model report`;
  const sections = [
    renderHeader(model),
    renderMetricsSection(data.evaluation),
    renderGatesSection(data.gates ?? [], data.champion ?? null, data.evaluation),
    data.evaluation.kind === 'classification' ? renderEvaluationCharts(data.evaluation.metrics) : '',
    renderFeatureImportanceSection(data.featureImportance ?? []),
    renderFairnessSection(data.fairness ?? null),
    renderTrainingSection(data.trainingCurve ?? { validationMetric: null, points: [] }),
    renderTrialsSection(data.tuning ?? null),
    renderLineageSection(data.lineage, data.stages ?? []),
  ];
  const generated = data.generatedAt ? ` · generated ${escapeHtml(formatTimestamp(data.generatedAt))}` : '';
  return (
    '<!DOCTYPE html>\n' +
    '<html lang="en"><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">` +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<meta name="referrer" content="no-referrer">' +
    `<title>${escapeHtml(documentTitle)}</title><style>${REPORT_CSS}</style></head>` +
    `<body><main>${renderNavigation(data)}${sections.join('\n')}</main>` +
    `<footer>Model report of ${escapeHtml(model.name)} version ${escapeHtml(model.version)}${generated}</footer>` +
    '</body></html>\n'
  );
}
