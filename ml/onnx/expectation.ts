/**
 * What an ONNX model must fit: the dataset's features (in MLOPS_FEATURES order), whether each
 * column is numeric or text, the task and the classes (MLOPS_CLASSES order). docs/trainers.md
 * gives a command trainer the same facts through its environment.
 */
export type OnnxTask = 'binary' | 'multiclass' | 'regression';

/** A dataset column's kind: a numeric column (numbers, booleans, timestamps) or a text one. */
export type OnnxFeatureKind = 'number' | 'string';

export interface OnnxExpectation {
  readonly features: readonly string[];
  readonly featureKinds: Readonly<Record<string, OnnxFeatureKind>>;
  readonly task: OnnxTask;
  /** The class labels as text, sorted; null for regression. */
  readonly classes: readonly string[] | null;
  /**
   * Numeric features that hold timestamps (epoch milliseconds), so that serving reads an ISO date
   * string for them as the built-in models do. Optional: none by default.
   */
  readonly timestampFeatures?: readonly string[];
}

/**
 * Throws for an expectation the platform itself built wrong (the dataset, not the model, is at
 * fault): these are programming errors, not a reason to refuse a model.
 */
export function checkExpectation(expectation: OnnxExpectation): void {
  const { features, featureKinds, task, classes } = expectation;
  if (features.length === 0) throw new RangeError('an ONNX model needs at least one feature');
  if (new Set(features).size !== features.length) {
    throw new RangeError(
      `the features are not unique: ${features.map((name) => JSON.stringify(name)).join(', ')}`,
    );
  }
  for (const feature of features) {
    const kind: unknown = Object.hasOwn(featureKinds, feature) ? featureKinds[feature] : undefined;
    if (kind !== 'number' && kind !== 'string') {
      throw new RangeError(
        `feature ${JSON.stringify(feature)} has no kind ('number' or 'string') in featureKinds`,
      );
    }
  }
  if (task === 'regression') {
    if (classes !== null) throw new RangeError('a regression expectation has no classes (null)');
    return;
  }
  if (classes === null || classes.length < 2) {
    throw new RangeError(`a ${task} expectation needs at least two classes`);
  }
  if (task === 'binary' && classes.length !== 2) {
    throw new RangeError(`a binary expectation has exactly two classes, not ${classes.length}`);
  }
}
