/**
 * The HTML report of one model version: a single self-contained document (inline CSS and inline
 * SVG, no scripts, fonts, images or external references) that renders offline. Its Content
 * Security Policy forbids scripts and every external load, as a second line of defence behind
 * the escaping of every user-provided string.
 */

import { formatTimestamp } from './format.js';
import { renderReportDocument } from './html.js';
import { renderArtifactsSection } from './sections/artifacts.js';
import { renderEvaluationCharts } from './sections/evaluation-charts.js';
import { renderFairnessSection } from './sections/fairness.js';
import { renderFeatureImportanceSection } from './sections/feature-importance.js';
import { renderGatesSection } from './sections/gates.js';
import { renderHeader } from './sections/header.js';
import { renderInputsSection } from './sections/inputs.js';
import { renderLineageSection } from './sections/lineage.js';
import { renderMetricsSection } from './sections/metrics.js';
import { renderTrainingSection } from './sections/training.js';
import { renderTrialsSection } from './sections/trials.js';
import { REPORT_CSS } from './styles.js';
import type { ModelReportData } from './types.js';

function navigation(data: ModelReportData): [string, string][] {
  return [
    ['metrics', 'Metrics'],
    ['gates', 'Gates'],
    ...(data.evaluation.kind === 'classification'
      ? [['evaluation-charts', 'ROC, PR and calibration'] as [string, string]]
      : []),
    ['inputs', 'Inputs'],
    ['feature-importance', 'Feature importance'],
    ['fairness', 'Fairness'],
    ['training', 'Training'],
    ...(data.tuning ? [['trials', 'Trials'] as [string, string]] : []),
    ['lineage', 'Lineage'],
    ['artifacts', 'Artifacts'],
  ];
}

export function renderModelReport(data: ModelReportData): string {
  const { model } = data;
  const sections = [
    renderHeader(model),
    renderMetricsSection(data.evaluation),
    renderGatesSection(data.gates ?? [], data.champion ?? null, data.evaluation),
    data.evaluation.kind === 'classification' ? renderEvaluationCharts(data.evaluation.metrics) : '',
    renderInputsSection(data.inputs),
    renderFeatureImportanceSection(data.featureImportance ?? [], data.featureImportanceMethod),
    renderFairnessSection(data.fairness ?? null),
    renderTrainingSection(data.trainingCurve ?? { validationMetric: null, points: [] }),
    renderTrialsSection(data.tuning ?? null),
    renderLineageSection(data.lineage, data.stages ?? []),
    renderArtifactsSection(data.artifacts),
  ];
  const generated = data.generatedAt ? ` · generated ${formatTimestamp(data.generatedAt)}` : '';
  return renderReportDocument({
    title: `${model.name} v${model.version} — model report`,
    css: REPORT_CSS,
    navigation: navigation(data),
    body: sections.join('\n'),
    footer: `Model report of ${model.name} version ${model.version}${generated}`,
  });
}
