/**
 * The HTML drift report of one monitored window (issue 10): per-feature distributions (training
 * reference against the window), each feature's statistics and the thresholds they are judged by,
 * the dataset verdict, the live metric over the windows before it, and what happened to the model
 * meanwhile. Like the model report, one self-contained document: inline CSS and SVG, no scripts,
 * no external loads (its Content Security Policy forbids both), every stored string escaped.
 */

import { readDriftDocument } from './drift-document.js';
import { renderDistributionsSection } from './drift-sections/distributions.js';
import { renderEventsSection } from './drift-sections/events.js';
import { renderFeaturesSection } from './drift-sections/features.js';
import { renderDriftHeader } from './drift-sections/header.js';
import { renderOverTimeSection } from './drift-sections/over-time.js';
import { renderVerdictSection } from './drift-sections/verdict.js';
import { DRIFT_REPORT_CSS } from './drift-styles.js';
import type { DriftReportData } from './drift-types.js';
import { formatTimestamp } from './format.js';
import { renderReportDocument } from './html.js';
import { REPORT_CSS } from './styles.js';

const NAVIGATION: readonly [string, string][] = [
  ['verdict', 'Verdict'],
  ['features', 'Statistics'],
  ['distributions', 'Distributions'],
  ['over-time', 'Over time'],
  ['events', 'Events'],
];

export function renderDriftReport(data: DriftReportData): string {
  const drift = readDriftDocument(data.drift);
  // The window itself is always part of its history, even when the caller left it out.
  const history = data.history.some((point) => point.id === data.window.id)
    ? data.history
    : [...data.history, data.window];
  const sections = [
    renderDriftHeader(data.model, data.window, drift),
    renderVerdictSection(drift),
    renderFeaturesSection(drift),
    renderDistributionsSection(drift),
    renderOverTimeSection(history, data.window.id, drift.thresholds),
    renderEventsSection(data.events, history, data.window),
  ];
  const generated = data.generatedAt ? ` · generated ${formatTimestamp(data.generatedAt)}` : '';
  return renderReportDocument({
    title: `${data.model.name} — drift report, window ending ${formatTimestamp(data.window.windowEnd)}`,
    css: REPORT_CSS + DRIFT_REPORT_CSS,
    navigation: NAVIGATION,
    body: sections.join('\n'),
    footer: `Drift report of ${data.model.name} v${data.model.version} (drift report id ${data.window.id})${generated}`,
  });
}
