/**
 * Confusion matrix and the metrics read off it, with scikit-learn's conventions:
 * rows are actual classes and columns predicted ones; precision, recall and F1 are 0 when their
 * denominator is 0 (`zero_division=0`); F1 = 2·TP / (support + predicted); macro and weighted
 * averages run over the classes present in actual or predicted (scikit-learn's default labels);
 * balanced accuracy is the mean recall over the classes present in actual.
 */

export interface ClassScores {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Rows whose actual class is this one. */
  readonly support: number;
  /** Rows predicted as this class. */
  readonly predictedCount: number;
}

export interface AveragedScores {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

export function confusionMatrix(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classCount: number,
): number[][] {
  const matrix = Array.from({ length: classCount }, () => new Array<number>(classCount).fill(0));
  for (let row = 0; row < actual.length; row += 1) matrix[actual[row]][predicted[row]] += 1;
  return matrix;
}

function divideOrZero(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

export function classScores(matrix: number[][]): ClassScores[] {
  const classCount = matrix.length;
  return matrix.map((actualRow, index) => {
    const truePositives = actualRow[index];
    const support = actualRow.reduce((sum, count) => sum + count, 0);
    let predictedCount = 0;
    for (let other = 0; other < classCount; other += 1) predictedCount += matrix[other][index];
    return {
      precision: divideOrZero(truePositives, predictedCount),
      recall: divideOrZero(truePositives, support),
      f1: divideOrZero(2 * truePositives, support + predictedCount),
      support,
      predictedCount,
    };
  });
}

export function macroAverage(scores: ClassScores[]): AveragedScores {
  const present = scores.filter((score) => score.support > 0 || score.predictedCount > 0);
  const mean = (pick: (score: ClassScores) => number) =>
    present.reduce((sum, score) => sum + pick(score), 0) / present.length;
  return { precision: mean((s) => s.precision), recall: mean((s) => s.recall), f1: mean((s) => s.f1) };
}

export function weightedAverage(scores: ClassScores[]): AveragedScores {
  const totalSupport = scores.reduce((sum, score) => sum + score.support, 0);
  const mean = (pick: (score: ClassScores) => number) =>
    scores.reduce((sum, score) => sum + pick(score) * score.support, 0) / totalSupport;
  return { precision: mean((s) => s.precision), recall: mean((s) => s.recall), f1: mean((s) => s.f1) };
}

export function accuracyFromMatrix(matrix: number[][]): number {
  let correct = 0;
  let total = 0;
  matrix.forEach((row, index) => {
    correct += row[index];
    total += row.reduce((sum, count) => sum + count, 0);
  });
  return correct / total;
}

export function balancedAccuracyFromScores(scores: ClassScores[]): number {
  const present = scores.filter((score) => score.support > 0);
  return present.reduce((sum, score) => sum + score.recall, 0) / present.length;
}
