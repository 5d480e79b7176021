/**
 * All classification metrics the evaluation stage reports, from actual class indices and the
 * predicted probability matrix; the predicted class is the argmax of each row.
 */

import { type CalibrationBin, calibrationCurve } from './calibration.js';
import {
  type AveragedScores,
  accuracyFromMatrix,
  balancedAccuracyFromScores,
  classScores,
  confusionMatrix,
  macroAverage,
  weightedAverage,
} from './confusion.js';
import { MetricsInputError } from './errors.js';
import {
  argmaxRows,
  checkClassCount,
  checkClassIndices,
  checkProbabilities,
  resolveClassLabels,
} from './inputs.js';
import { brierScore, logLoss } from './probabilistic.js';
import { binaryRocCurve, limitPoints, type RocPoint } from './roc.js';
import { binaryPrecisionRecallCurve, type PrecisionRecallPoint } from './precision-recall.js';

export interface ClassificationMetricsInput {
  /** Actual class index per row, 0 ≤ index < classCount. */
  readonly actual: ArrayLike<number>;
  /** Row-major rows x classCount matrix of predicted probabilities (rows sum to 1). */
  readonly probabilities: ArrayLike<number>;
  readonly classCount: number;
  /** Names of the classes, by index (default "0", "1", ...). */
  readonly classLabels?: readonly string[];
  /** Most points kept per ROC curve (default 1000; evenly thinned beyond, AUC unaffected). */
  readonly curvePointLimit?: number;
  /** Equal-width bins of the calibration curves (default 10). */
  readonly calibrationBinCount?: number;
}

export interface ClassMetrics {
  readonly label: string;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
  readonly predictedCount: number;
}

export interface RocCurve {
  /** The class treated as positive (one-vs-rest for more than two classes). */
  readonly positiveClass: string;
  /** Null when actual holds only positives or only negatives for this class. */
  readonly auc: number | null;
  readonly points: RocPoint[];
  readonly undefinedReason: string | null;
}

export interface PrecisionRecallCurve {
  /** The class treated as positive (one-vs-rest for more than two classes). */
  readonly positiveClass: string;
  /** Null when actual holds no rows of this class. */
  readonly averagePrecision: number | null;
  readonly points: PrecisionRecallPoint[];
  readonly undefinedReason: string | null;
}

export interface CalibrationCurve {
  readonly positiveClass: string;
  readonly bins: CalibrationBin[];
}

export interface ClassificationMetrics {
  readonly rowCount: number;
  readonly classLabels: string[];
  readonly accuracy: number;
  readonly balancedAccuracy: number;
  readonly perClass: ClassMetrics[];
  readonly macro: AveragedScores;
  readonly weighted: AveragedScores;
  /**
   * Binary: AUC of class 1's probability. Multiclass: unweighted mean of the one-vs-rest AUCs
   * (scikit-learn's multi_class='ovr', average='macro') over the classes that occur in actual.
   * Null, with `rocAucNote` saying why, when no class has both positive and negative rows.
   */
  readonly rocAuc: number | null;
  /** Why rocAuc is null, or which classes the multiclass average left out; null otherwise. */
  readonly rocAucNote: string | null;
  readonly logLoss: number;
  /** See `brierScoreDefinition`: binary on the positive class, multiclass summed over classes. */
  readonly brierScore: number;
  readonly brierScoreDefinition: string;
  /** Rows are actual classes, columns predicted classes. */
  readonly confusionMatrix: number[][];
  /** Binary: one curve (class 1). Multiclass: one one-vs-rest curve per class. */
  readonly rocCurves: RocCurve[];
  /** Binary: one curve (class 1). Multiclass: one one-vs-rest curve per class. */
  readonly precisionRecallCurves: PrecisionRecallCurve[];
  readonly calibrationCurves: CalibrationCurve[];
}

const BINARY_BRIER =
  'mean squared difference between the probability of class 1 and the 0/1 outcome (range 0-1)';
const MULTICLASS_BRIER =
  'mean over rows of the squared differences between each class probability and the one-hot outcome, summed over classes (range 0-2)';

function classColumn(
  probabilities: ArrayLike<number>,
  rowCount: number,
  classCount: number,
  column: number,
): Float64Array {
  return Float64Array.from({ length: rowCount }, (_, row) => probabilities[row * classCount + column]);
}

export function computeClassificationMetrics(input: ClassificationMetricsInput): ClassificationMetrics {
  const { actual, probabilities, classCount } = input;
  checkClassCount(classCount);
  const rowCount = checkClassIndices(actual, classCount, 'actual');
  if (rowCount === 0) throw new MetricsInputError('no rows to evaluate: actual is empty');
  checkProbabilities(probabilities, rowCount, classCount);
  const classLabels = resolveClassLabels(input.classLabels, classCount);
  const curvePointLimit = input.curvePointLimit ?? 1000;
  if (!Number.isInteger(curvePointLimit) || curvePointLimit < 2) {
    throw new MetricsInputError(`curvePointLimit must be an integer >= 2, got ${curvePointLimit}`);
  }
  const predicted = argmaxRows(probabilities, rowCount, classCount);
  const matrix = confusionMatrix(actual, predicted, classCount);
  const scores = classScores(matrix);

  const curveClasses = classCount === 2 ? [1] : Array.from({ length: classCount }, (_, index) => index);
  const rocCurves: RocCurve[] = [];
  const calibrationCurves: CalibrationCurve[] = [];
  const precisionRecallCurves: PrecisionRecallCurve[] = [];
  for (const positive of curveClasses) {
    const isPositive = Uint8Array.from({ length: rowCount }, (_, row) => (actual[row] === positive ? 1 : 0));
    const classScoresColumn = classColumn(probabilities, rowCount, classCount, positive);
    const curve = binaryRocCurve(isPositive, classScoresColumn);
    rocCurves.push(
      curve.defined
        ? {
            positiveClass: classLabels[positive],
            auc: curve.auc,
            points: limitPoints(curve.points, curvePointLimit),
            undefinedReason: null,
          }
        : { positiveClass: classLabels[positive], auc: null, points: [], undefinedReason: curve.reason },
    );
    const precisionRecall = binaryPrecisionRecallCurve(isPositive, classScoresColumn);
    precisionRecallCurves.push(
      precisionRecall.defined
        ? {
            positiveClass: classLabels[positive],
            averagePrecision: precisionRecall.averagePrecision,
            points: limitPoints(precisionRecall.points, curvePointLimit),
            undefinedReason: null,
          }
        : {
            positiveClass: classLabels[positive],
            averagePrecision: null,
            points: [],
            undefinedReason: precisionRecall.reason,
          },
    );
    calibrationCurves.push({
      positiveClass: classLabels[positive],
      bins: calibrationCurve(isPositive, classScoresColumn, input.calibrationBinCount ?? 10),
    });
  }
  const definedAucs = rocCurves.filter((curve) => curve.auc !== null);
  const skipped = rocCurves.filter((curve) => curve.auc === null).map((curve) => curve.positiveClass);
  let rocAucNote: string | null = null;
  if (definedAucs.length === 0) {
    rocAucNote = `ROC AUC is undefined: actual holds a single class (${classLabels[actual[0]]})`;
  } else if (skipped.length > 0) {
    rocAucNote = `classes ${skipped.join(', ')} do not occur in actual; the one-vs-rest average covers the other ${definedAucs.length}`;
  }
  return {
    rowCount,
    classLabels,
    accuracy: accuracyFromMatrix(matrix),
    balancedAccuracy: balancedAccuracyFromScores(scores),
    perClass: scores.map((score, index) => ({ label: classLabels[index], ...score })),
    macro: macroAverage(scores),
    weighted: weightedAverage(scores),
    rocAuc:
      definedAucs.length === 0
        ? null
        : definedAucs.reduce((sum, curve) => sum + curve.auc!, 0) / definedAucs.length,
    rocAucNote,
    logLoss: logLoss(actual, probabilities, classCount),
    brierScore: brierScore(actual, probabilities, classCount),
    brierScoreDefinition: classCount === 2 ? BINARY_BRIER : MULTICLASS_BRIER,
    confusionMatrix: matrix,
    rocCurves,
    precisionRecallCurves,
    calibrationCurves,
  };
}
