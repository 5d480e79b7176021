/**
 * The headline metrics of an evaluation as flat rows keyed like the spec's metric names, so the
 * metrics table, the champion comparison and stored champion metrics all agree on the keys.
 */

import type { EvaluationResult } from './types.js';

export interface MetricRow {
  readonly key: string;
  readonly label: string;
  readonly value: number | null;
  readonly lowerIsBetter: boolean;
}

export function metricRows(evaluation: EvaluationResult): MetricRow[] {
  const row = (
    key: string,
    label: string,
    value: number | null | undefined,
    lowerIsBetter = false,
  ): MetricRow => ({
    key,
    label,
    value: value ?? null,
    lowerIsBetter,
  });
  if (evaluation.kind === 'regression') {
    const { metrics } = evaluation;
    return [
      row('rmse', 'RMSE', metrics.rmse, true),
      row('mae', 'MAE', metrics.mae, true),
      row('r2', 'R²', metrics.r2),
    ];
  }
  const { metrics } = evaluation;
  return [
    row('accuracy', 'Accuracy', metrics.accuracy),
    row('balanced_accuracy', 'Balanced accuracy', metrics.balancedAccuracy),
    row('precision_macro', 'Precision (macro)', metrics.macro?.precision),
    row('recall_macro', 'Recall (macro)', metrics.macro?.recall),
    row('f1_macro', 'F1 (macro)', metrics.macro?.f1),
    row('precision_weighted', 'Precision (weighted)', metrics.weighted?.precision),
    row('recall_weighted', 'Recall (weighted)', metrics.weighted?.recall),
    row('f1_weighted', 'F1 (weighted)', metrics.weighted?.f1),
    row('auc', 'ROC AUC', metrics.rocAuc),
    row('logloss', 'Log loss', metrics.logLoss, true),
    row('brier', 'Brier score', metrics.brierScore, true),
  ];
}

/** The headline metrics as `{ key: value }`, the shape `ChampionComparison.metrics` expects. */
export function flatMetrics(evaluation: EvaluationResult): Record<string, number | null> {
  return Object.fromEntries(metricRows(evaluation).map((row) => [row.key, row.value]));
}
