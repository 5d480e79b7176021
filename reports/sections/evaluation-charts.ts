/** Classifier charts: ROC and precision-recall curves, calibration curves and the confusion matrix. */

import type { ClassificationMetrics } from '../../ml/metrics/index.js';
import { formatNumber } from '../format.js';
import { paragraph, renderSection } from '../html.js';
import { chartId } from '../svg/frame.js';
import { renderHeatmap } from '../svg/heatmap.js';
import { renderLineChart } from '../svg/line-chart.js';

function rocChart(metrics: ClassificationMetrics): string {
  const curves = metrics.rocCurves ?? [];
  const oneVsRest = curves.length > 1;
  return renderLineChart({
    id: chartId('chart', 'roc'),
    title: oneVsRest ? 'ROC curves (one-vs-rest)' : 'ROC curve',
    description:
      `True positive rate against false positive rate as the decision threshold falls, ` +
      `${oneVsRest ? 'one curve per class against the rest' : `for class ${curves[0]?.positiveClass ?? ''}`}; ` +
      `the diagonal is a classifier that guesses. ` +
      curves
        .map(
          (curve) => `Class ${curve.positiveClass}: AUC ${curve.undefinedReason ?? formatNumber(curve.auc)}.`,
        )
        .join(' '),
    xLabel: 'False positive rate',
    yLabel: 'True positive rate',
    xDomain: [0, 1],
    yDomain: [0, 1],
    diagonal: 'chance (AUC 0.5)',
    series: curves.map((curve) => ({
      name:
        `${oneVsRest ? `${curve.positiveClass} vs rest` : `class ${curve.positiveClass}`} ` +
        (curve.undefinedReason ? '(AUC undefined: no curve)' : `(AUC ${formatNumber(curve.auc, 3)})`),
      points: (curve.points ?? []).map((point) => ({
        x: point.falsePositiveRate,
        y: point.truePositiveRate,
      })),
    })),
    emptyMessage: 'No ROC curve: the test set holds a single class.',
  });
}

function precisionRecallChart(metrics: ClassificationMetrics): string {
  // Evaluations stored before precision-recall curves were kept have none.
  const curves = metrics.precisionRecallCurves ?? [];
  const oneVsRest = curves.length > 1;
  const averagePrecision = (curve: (typeof curves)[number], digits?: number) =>
    curve.undefinedReason ?? `AP ${formatNumber(curve.averagePrecision, digits)}`;
  return renderLineChart({
    id: chartId('chart', 'precision-recall'),
    title: oneVsRest ? 'Precision-recall curves (one-vs-rest)' : 'Precision-recall curve',
    description:
      'Precision against recall as the decision threshold falls; average precision (AP) is the area under ' +
      'the step curve, and a classifier that guesses stays at the share of positives. ' +
      curves.map((curve) => `Class ${curve.positiveClass}: ${averagePrecision(curve)}.`).join(' '),
    xLabel: 'Recall',
    yLabel: 'Precision',
    xDomain: [0, 1],
    yDomain: [0, 1],
    series: curves.map((curve) => ({
      name:
        `${oneVsRest ? `${curve.positiveClass} vs rest` : `class ${curve.positiveClass}`} ` +
        (curve.undefinedReason ? '(undefined: no rows of the class)' : `(${averagePrecision(curve, 3)})`),
      points: (curve.points ?? []).map((point) => ({ x: point.recall, y: point.precision })),
    })),
    emptyMessage:
      metrics.precisionRecallCurves === undefined
        ? 'No precision-recall curve: this evaluation was stored before they were kept.'
        : 'No precision-recall curve: the test set holds no positive rows.',
  });
}

function confusionChart(metrics: ClassificationMetrics): string {
  const labels = metrics.classLabels ?? [];
  return renderHeatmap({
    id: chartId('chart', 'confusion'),
    title: 'Confusion matrix',
    description: `Rows of held-out data by actual class (rows) and predicted class (columns); the diagonal holds the correct predictions.`,
    rowLabels: labels,
    columnLabels: labels,
    values: metrics.confusionMatrix ?? [],
    rowAxisLabel: 'Actual',
    columnAxisLabel: 'Predicted',
    emptyMessage: 'No confusion matrix: no classes.',
  });
}

function calibrationChart(metrics: ClassificationMetrics): string {
  const curves = metrics.calibrationCurves ?? [];
  return renderLineChart({
    id: chartId('chart', 'calibration'),
    title: curves.length > 1 ? 'Calibration curves (one-vs-rest)' : 'Calibration curve',
    description:
      'Share of rows actually in the class against the mean predicted probability, per probability bin; ' +
      'a well-calibrated model follows the diagonal.',
    xLabel: 'Mean predicted probability',
    yLabel: 'Fraction of positives',
    xDomain: [0, 1],
    yDomain: [0, 1],
    diagonal: 'perfectly calibrated',
    markers: true,
    series: curves.map((curve) => ({
      name: curves.length > 1 ? `${curve.positiveClass} vs rest` : `class ${curve.positiveClass}`,
      points: (curve.bins ?? []).map((bin) => ({ x: bin.meanPredicted, y: bin.fractionPositive })),
    })),
    emptyMessage: 'No calibration curve: no predictions.',
  });
}

export function renderEvaluationCharts(metrics: ClassificationMetrics): string {
  return renderSection(
    'evaluation-charts',
    'ROC, precision-recall, calibration and confusion matrix',
    `<div class="chart-row">${rocChart(metrics)}${precisionRecallChart(metrics)}${calibrationChart(metrics)}${confusionChart(metrics)}</div>` +
      paragraph('Curves and matrix are computed on the held-out test set.'),
  );
}
