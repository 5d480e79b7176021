/**
 * Predictions from a loaded model: one record at a time for serving, or a whole frame for batch
 * scoring, with identical results for the same inputs.
 *
 * Inputs: a missing feature (absent key, null, '', NaN) is imputed (numeric) or takes the missing
 * bucket (categorical); a category never seen in training takes the unknown bucket; how other
 * values are read is described in ml/encoders/record-values.ts. Predictions are never NaN.
 */
import type { Frame } from '../frame/frame.js';
import { applyLink } from './link.js';
import type { LoadedModel } from './load.js';

export type RowPrediction =
  | {
      readonly task: 'binary' | 'multiclass';
      readonly label: string;
      readonly classIndex: number;
      /** One probability per class, in `model.classes` order. */
      readonly probabilities: Float64Array;
    }
  | { readonly task: 'regression'; readonly value: number };

export function predictRow(model: LoadedModel, record: Readonly<Record<string, unknown>>): RowPrediction {
  if (model.task === 'regression') return { task: 'regression', value: predictRowInto(model, record, EMPTY) };
  const classes = model.classes ?? [];
  const probabilities = new Float64Array(classes.length);
  const classIndex = predictRowInto(model, record, probabilities);
  return { task: model.task, label: classes[classIndex], classIndex, probabilities };
}

const EMPTY = new Float64Array(0);

/**
 * The allocation-free form: writes class probabilities into `probabilities` (length: the number of
 * classes; ignored for regression) and returns the class index, or the value for regression.
 */
export function predictRowInto(
  model: LoadedModel,
  record: Readonly<Record<string, unknown>>,
  probabilities: Float64Array,
): number {
  if (record === null || typeof record !== 'object') {
    throw new TypeError('a record to predict must be an object of feature name to value');
  }
  const classCount = model.classes?.length ?? 0;
  if (model.task !== 'regression' && probabilities.length !== classCount) {
    throw new RangeError(`probabilities must have length ${classCount}, one per class`);
  }
  model.predictor.scoreRecord(record, model.scores);
  return applyLink(model.task, model.scores, 0, probabilities, 0, classCount);
}

export type FramePredictions =
  | {
      readonly task: 'binary' | 'multiclass';
      readonly classes: readonly string[];
      readonly classIndex: Int32Array;
      /** rowCount x classes, row-major. */
      readonly probabilities: Float64Array;
    }
  | { readonly task: 'regression'; readonly values: Float64Array };

/** Scores every row of `frame` (which must hold every feature column, by name). */
export function predictFrame(model: LoadedModel, frame: Frame): FramePredictions {
  const scores = model.predictor.scoreFrame(frame);
  const outputs = model.predictor.outputCount;
  if (model.task === 'regression') {
    const values = new Float64Array(frame.rowCount);
    for (let row = 0; row < frame.rowCount; row += 1)
      values[row] = applyLink('regression', scores, row, EMPTY, 0, 1);
    return { task: 'regression', values };
  }
  const classes = model.classes ?? [];
  const probabilities = new Float64Array(frame.rowCount * classes.length);
  const classIndex = new Int32Array(frame.rowCount);
  for (let row = 0; row < frame.rowCount; row += 1) {
    classIndex[row] = applyLink(
      model.task,
      scores,
      row * outputs,
      probabilities,
      row * classes.length,
      classes.length,
    );
  }
  return { task: model.task, classes, classIndex, probabilities };
}
