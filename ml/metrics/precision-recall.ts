/**
 * Precision-recall curve and average precision for one positive class, as scikit-learn's
 * `precision_recall_curve` and `average_precision_score` compute them: one point per distinct
 * score (tied scores move together), from the highest threshold down, after a first point
 * (recall 0, precision 1) at threshold +∞; average precision is Σ (Rₙ − Rₙ₋₁) · Pₙ, the step
 * function's area, not the trapezoid's (which overstates it).
 */

export interface PrecisionRecallPoint {
  readonly recall: number;
  readonly precision: number;
  /** Rows scoring >= threshold are predicted positive; null stands for +∞ (nothing predicted positive). */
  readonly threshold: number | null;
}

export type PrecisionRecallResult =
  | { readonly defined: true; readonly averagePrecision: number; readonly points: PrecisionRecallPoint[] }
  | { readonly defined: false; readonly reason: string };

/** `isPositive[row]` is 1 for the positive class; scores are higher for "more positive". */
export function binaryPrecisionRecallCurve(
  isPositive: ArrayLike<number>,
  scores: ArrayLike<number>,
): PrecisionRecallResult {
  const rowCount = scores.length;
  let positives = 0;
  for (let row = 0; row < rowCount; row += 1) positives += isPositive[row] === 1 ? 1 : 0;
  if (positives === 0) {
    return {
      defined: false,
      reason: 'actual holds no positive rows for this class, so recall and average precision are undefined',
    };
  }
  const order = Int32Array.from({ length: rowCount }, (_, index) => index).sort(
    (left, right) => scores[right] - scores[left],
  );
  const points: PrecisionRecallPoint[] = [{ recall: 0, precision: 1, threshold: null }];
  let truePositives = 0;
  let averagePrecision = 0;
  for (let rank = 0; rank < rowCount; rank += 1) {
    const row = order[rank];
    if (isPositive[row] === 1) truePositives += 1;
    if (rank === rowCount - 1 || scores[order[rank + 1]] !== scores[row]) {
      const recall = truePositives / positives;
      const precision = truePositives / (rank + 1);
      averagePrecision += (recall - points[points.length - 1].recall) * precision;
      points.push({ recall, precision, threshold: scores[row] });
    }
  }
  return { defined: true, averagePrecision, points };
}
