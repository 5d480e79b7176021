/**
 * Turning a training request's frame into what trainers need: the feature list, the task, the
 * encoded target (class indices or values), class weights and the input schema.
 */
import { type Column, type Frame, FrameError, getColumn } from '../frame/frame.js';
import type { FeatureEncoderSpec } from '../encoders/feature-set.js';
import { encodeLabels } from '../encoders/labels.js';
import { TrainingInputError } from '../training.js';
import type { InputField, TargetDescription, TaskType } from './document.js';
import type { ClassWeight } from './trainer-params.js';

export interface PreparedTarget {
  readonly task: TaskType;
  readonly description: TargetDescription;
  /** Class index per row (classification). */
  readonly classIndex: Int32Array | null;
  /** Target value per row (regression). */
  readonly values: Float64Array | null;
}

/** The features to train on: as given (checked), or every column but the target. */
export function resolveFeatureNames(
  frame: Frame,
  target: string,
  features: readonly string[] | undefined,
): string[] {
  const names = features
    ? [...features]
    : frame.columns.map((column) => column.name).filter((name) => name !== target);
  if (names.length === 0)
    throw new TrainingInputError(
      'there are no feature columns: give at least one feature besides the target',
    );
  const seen = new Set<string>();
  for (const name of names) {
    if (name === target)
      throw new TrainingInputError(`the target ${JSON.stringify(name)} cannot also be a feature`);
    if (seen.has(name)) throw new TrainingInputError(`feature ${JSON.stringify(name)} is listed twice`);
    seen.add(name);
    columnOrInputError(frame, name, 'feature');
  }
  return names;
}

function columnOrInputError(frame: Frame, name: string, role: string): Column {
  try {
    return getColumn(frame, name);
  } catch (error) {
    if (error instanceof FrameError) throw new TrainingInputError(`the ${role} ${error.message}`);
    throw error;
  }
}

/**
 * The task, unless given: what the trainer does (logistic regression classifies, linear regression
 * regresses), else from the target (text and boolean targets classify, numbers regress).
 */
export function prepareTarget(
  frame: Frame,
  target: string,
  requestedTask: TaskType | undefined,
  trainerClassifies: boolean | undefined,
): PreparedTarget {
  const column = columnOrInputError(frame, target, 'target');
  const classifies = requestedTask
    ? requestedTask !== 'regression'
    : (trainerClassifies ?? (column.kind === 'categorical' || column.sourceType === 'boolean'));
  if (!classifies) {
    if (column.kind === 'categorical') {
      throw new TrainingInputError(
        `target ${JSON.stringify(target)} holds text, but regression (asked for by the task or the trainer) needs a ` +
          'numeric target: classify it with logistic_regression or gradient_boosting',
      );
    }
    for (let row = 0; row < column.values.length; row += 1) {
      if (!Number.isFinite(column.values[row])) {
        throw new TrainingInputError(
          `target ${JSON.stringify(target)} is missing (or infinite) in row ${row}; drop those rows before training`,
        );
      }
    }
    return {
      task: 'regression',
      description: { name: target, type: 'number' },
      classIndex: null,
      values: column.values,
    };
  }
  const labels = encodeLabels(column);
  const classCount = labels.classes.length;
  if (classCount < 2) {
    throw new TrainingInputError(
      `target ${JSON.stringify(target)} has a single class (${JSON.stringify(labels.classes[0] ?? '')}) in the training rows; ` +
        'a classifier needs at least two: check the query or the split',
    );
  }
  const task: TaskType = classCount === 2 ? 'binary' : 'multiclass';
  if (requestedTask && requestedTask !== task) {
    throw new TrainingInputError(
      `task ${requestedTask} was asked for, but target ${JSON.stringify(target)} has ${classCount} classes`,
    );
  }
  return {
    task,
    description: { name: target, type: labels.targetType, classes: labels.classes },
    classIndex: labels.classIndex,
    values: null,
  };
}

/** The validation frame's target in the training encoding; a class unseen in training is an error. */
export function prepareValidationTarget(
  frame: Frame,
  prepared: PreparedTarget,
): { classIndex: Int32Array | null; values: Float64Array | null } {
  const column = columnOrInputError(frame, prepared.description.name, 'validation target');
  if (prepared.task === 'regression') {
    if (column.kind !== 'numeric')
      throw new TrainingInputError('the validation target must be numeric, as in training');
    if (!column.values.every(Number.isFinite)) {
      throw new TrainingInputError('the validation target has missing values; drop those rows');
    }
    return { classIndex: null, values: column.values };
  }
  const validationLabels = encodeLabels(column);
  const classes = prepared.description.classes ?? [];
  const mapping = validationLabels.classes.map((label) => {
    const index = classes.indexOf(label);
    if (index < 0) {
      throw new TrainingInputError(
        `the validation target holds class ${JSON.stringify(label)}, which the training rows do not have; ` +
          'split so that every class appears in training',
      );
    }
    return index;
  });
  return { classIndex: validationLabels.classIndex.map((index) => mapping[index]), values: null };
}

/** Per-row weights from class weights ('balanced' as scikit-learn: n / (classes * count)). */
export function classSampleWeights(
  classIndex: Int32Array,
  classes: readonly string[],
  classWeight: ClassWeight,
): Float64Array | null {
  if (classWeight === null) return null;
  const counts = new Float64Array(classes.length);
  for (let row = 0; row < classIndex.length; row += 1) counts[classIndex[row]] += 1;
  let weightOfClass: Float64Array;
  if (classWeight === 'balanced') {
    weightOfClass = counts.map((count) => (count > 0 ? classIndex.length / (classes.length * count) : 0));
  } else {
    for (const label of Object.keys(classWeight)) {
      if (!classes.includes(label)) {
        throw new TrainingInputError(
          `classWeight names class ${JSON.stringify(label)}, which the target does not have (classes: ${classes.join(', ')})`,
        );
      }
    }
    weightOfClass = Float64Array.from(classes, (label) =>
      Object.hasOwn(classWeight, label) ? classWeight[label] : 1,
    );
  }
  return Float64Array.from(classIndex, (index) => weightOfClass[index]);
}

export function inputSchemaFor(frame: Frame, encoders: readonly FeatureEncoderSpec[]): InputField[] {
  return encoders.map((encoder) => {
    const column = getColumn(frame, encoder.name);
    if (column.kind === 'categorical') {
      return { name: encoder.name, type: 'string', missingInTraining: column.codes.includes(-1) };
    }
    const type =
      column.sourceType === 'boolean'
        ? 'boolean'
        : column.sourceType === 'timestamp'
          ? 'timestamp'
          : 'number';
    return {
      name: encoder.name,
      type,
      missingInTraining: column.missing !== null && column.missing.includes(1),
    };
  });
}
