/**
 * ROC curve and ROC AUC for one positive class, as scikit-learn's `roc_curve` (with
 * `drop_intermediate=True`) and `roc_auc_score` compute them: one point per distinct score
 * (tied scores move together), collinear interior points dropped, a first point (0, 0) at
 * threshold +∞, and the area by the trapezoidal rule, which counts ties as half.
 */

export interface RocPoint {
  readonly falsePositiveRate: number;
  readonly truePositiveRate: number;
  /** Rows scoring >= threshold are predicted positive; null stands for +∞ (nothing predicted positive). */
  readonly threshold: number | null;
}

export type RocCurveResult =
  | { readonly defined: true; readonly auc: number; readonly points: RocPoint[] }
  | { readonly defined: false; readonly reason: string };

/** `isPositive[row]` is 1 for the positive class; scores are higher for "more positive". */
export function binaryRocCurve(isPositive: ArrayLike<number>, scores: ArrayLike<number>): RocCurveResult {
  const rowCount = scores.length;
  const order = Int32Array.from({ length: rowCount }, (_, index) => index).sort(
    (left, right) => scores[right] - scores[left],
  );
  const falsePositives: number[] = [];
  const truePositives: number[] = [];
  const thresholds: number[] = [];
  let positives = 0;
  let negatives = 0;
  for (let rank = 0; rank < rowCount; rank += 1) {
    const row = order[rank];
    if (isPositive[row] === 1) positives += 1;
    else negatives += 1;
    // One point per distinct score: after the last row of each group of ties.
    if (rank === rowCount - 1 || scores[order[rank + 1]] !== scores[row]) {
      falsePositives.push(negatives);
      truePositives.push(positives);
      thresholds.push(scores[row]);
    }
  }
  if (positives === 0 || negatives === 0) {
    const missing = positives === 0 ? 'positive' : 'negative';
    return {
      defined: false,
      reason: `actual holds no ${missing} rows for this class, so ROC AUC is undefined`,
    };
  }
  // Keep the ends and every corner: a point whose neighbours are collinear with it adds nothing.
  const kept: number[] = [];
  for (let index = 0; index < thresholds.length; index += 1) {
    const isEnd = index === 0 || index === thresholds.length - 1;
    const corner =
      !isEnd &&
      (falsePositives[index + 1] - 2 * falsePositives[index] + falsePositives[index - 1] !== 0 ||
        truePositives[index + 1] - 2 * truePositives[index] + truePositives[index - 1] !== 0);
    if (isEnd || corner) kept.push(index);
  }
  const points: RocPoint[] = [{ falsePositiveRate: 0, truePositiveRate: 0, threshold: null }];
  for (const index of kept) {
    points.push({
      falsePositiveRate: falsePositives[index] / negatives,
      truePositiveRate: truePositives[index] / positives,
      threshold: thresholds[index],
    });
  }
  let auc = 0;
  for (let index = 1; index < points.length; index += 1) {
    const width = points[index].falsePositiveRate - points[index - 1].falsePositiveRate;
    auc += (width * (points[index].truePositiveRate + points[index - 1].truePositiveRate)) / 2;
  }
  return { defined: true, auc, points };
}

/** Evenly spaced points (first and last always kept), so reports stay small on big test sets. */
export function limitPoints<T>(points: readonly T[], limit: number): T[] {
  if (points.length <= limit) return [...points];
  const step = (points.length - 1) / (limit - 1);
  return Array.from({ length: limit }, (_, index) => points[Math.round(index * step)]);
}
