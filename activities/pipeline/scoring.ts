import { computeFairness, judgedFairness, type FairnessReport } from '../../ml/fairness/index.js';
import type { CategoricalColumn, Column, Frame } from '../../ml/frame/frame.js';
import { getColumn, MISSING_CODE } from '../../ml/frame/frame.js';
import { computeClassificationMetrics, computeRegressionMetrics } from '../../ml/metrics/index.js';
import type { FramePredictions } from '../../ml/model/index.js';
import { flatMetrics, type EvaluationResult } from '../../reports/index.js';

/** The actual class index of every row, by the model's class labels; -1 where the label is missing or unseen. */
function actualClassIndices(frame: Frame, target: string, classes: readonly string[]): Int32Array {
  const column = getColumn(frame, target);
  const index = new Map(classes.map((label, position) => [label, position]));
  const actual = new Int32Array(frame.rowCount);
  for (let row = 0; row < frame.rowCount; row += 1) {
    const label = labelAt(column, row);
    actual[row] = label === null ? -1 : (index.get(label) ?? -1);
  }
  return actual;
}

function labelAt(column: Column, row: number): string | null {
  if (column.kind === 'categorical')
    return column.codes[row] === MISSING_CODE ? null : column.dictionary[column.codes[row]];
  const value = column.values[row];
  return Number.isNaN(value) ? null : String(value);
}

export interface ScoredEvaluation {
  readonly evaluation: EvaluationResult;
  readonly fairness: FairnessReport | null;
  /** Rows scored (rows whose label is missing or unseen in training are left out). */
  readonly rows: number;
  readonly skippedRows: number;
}

/** Metrics (and fairness per sensitive column) of predictions against the frame's actual target. */
export function scorePredictions(
  target: string,
  frame: Frame,
  predictions: FramePredictions,
  sensitive: readonly string[],
): ScoredEvaluation {
  if (predictions.task === 'regression') {
    const column = getColumn(frame, target);
    const keep = rowsWhere(
      frame.rowCount,
      (row) => column.kind === 'numeric' && !Number.isNaN(column.values[row]),
    );
    const actual = Float64Array.from(keep, (row) => (column as { values: Float64Array }).values[row]);
    const predicted = Float64Array.from(keep, (row) => predictions.values[row]);
    return {
      evaluation: { kind: 'regression', metrics: computeRegressionMetrics({ actual, predicted }) },
      fairness: null,
      rows: keep.length,
      skippedRows: frame.rowCount - keep.length,
    };
  }
  const classes = predictions.classes;
  const allActual = actualClassIndices(frame, target, classes);
  const keep = rowsWhere(frame.rowCount, (row) => allActual[row] >= 0);
  const classCount = classes.length;
  const actual = Int32Array.from(keep, (row) => allActual[row]);
  const predicted = Int32Array.from(keep, (row) => predictions.classIndex[row]);
  const probabilities = new Float64Array(keep.length * classCount);
  keep.forEach((row, position) =>
    probabilities.set(
      predictions.probabilities.subarray(row * classCount, (row + 1) * classCount),
      position * classCount,
    ),
  );
  const metrics = computeClassificationMetrics({
    actual,
    probabilities,
    classCount,
    classLabels: [...classes],
  });
  const groups = sensitive.map((name) => sensitiveGroups(getColumn(frame, name), keep));
  const fairness = groups.length
    ? computeFairness({
        actual,
        predicted,
        probabilities,
        classCount,
        classLabels: [...classes],
        sensitive: groups,
      })
    : null;
  return {
    evaluation: { kind: 'classification', metrics },
    fairness,
    rows: keep.length,
    skippedRows: frame.rowCount - keep.length,
  };
}

/** Group codes of a sensitive column over the kept rows; numbers become their text. */
function sensitiveGroups(
  column: Column,
  keep: readonly number[],
): { name: string; codes: Int32Array; dictionary: string[] } {
  if (column.kind === 'categorical') {
    return {
      name: column.name,
      codes: Int32Array.from(keep, (row) => (column as CategoricalColumn).codes[row]),
      dictionary: [...column.dictionary],
    };
  }
  const dictionary: string[] = [];
  const index = new Map<string, number>();
  const codes = Int32Array.from(keep, (row) => {
    const value = column.values[row];
    if (Number.isNaN(value)) return MISSING_CODE;
    const label = String(value);
    if (!index.has(label)) {
      index.set(label, dictionary.length);
      dictionary.push(label);
    }
    return index.get(label) ?? MISSING_CODE;
  });
  return { name: column.name, codes, dictionary };
}

function rowsWhere(rowCount: number, keep: (row: number) => boolean): number[] {
  const rows: number[] = [];
  for (let row = 0; row < rowCount; row += 1) if (keep(row)) rows.push(row);
  return rows;
}

/**
 * Metrics keyed as the spec names them (accuracy, f1, auc, logloss, rmse, ...). `f1` is the
 * positive class's F1 for a binary task (scikit-learn's default) and the macro F1 otherwise.
 */
export function specMetrics(evaluation: EvaluationResult): Record<string, number | null> {
  const flat = flatMetrics(evaluation);
  if (evaluation.kind === 'regression') return flat;
  const { perClass, macro } = evaluation.metrics;
  return { ...flat, f1: perClass.length === 2 ? (perClass[1]?.f1 ?? null) : (macro?.f1 ?? null) };
}

/**
 * The worst value of each fairness metric, over all classes and sensitive attributes and per
 * attribute (`metric:attribute`): what gates read, by the rule the report's headline states too
 * (ml/fairness/gate-rule.ts): groups of at least `minGroupSize` rows; smaller groups (a handful of
 * rows with an odd label) would decide any gate by noise. The report shows every group, small
 * ones flagged.
 */
export function fairnessSummary(report: FairnessReport | null): Record<string, number | null> {
  if (!report) return {};
  const judged = judgedFairness(report);
  const summary: Record<string, number | null> = {};
  for (const [suffix, values] of [
    ['', judged.worst],
    ...[...judged.byAttribute].map(([attribute, value]) => [`:${attribute}`, value] as const),
  ] as const) {
    for (const [key, value] of [
      ['demographic_parity_difference', values.demographicParityDifference],
      ['demographic_parity_ratio', values.demographicParityRatio],
      ['equalized_odds_difference', values.equalizedOddsDifference],
    ] as const)
      if (value !== null) summary[`${key}${suffix}`] = value;
  }
  return summary;
}
