/**
 * Rejects training input that cannot give a sound model, with a message that says what to fix.
 */
import { TrainingInputError } from '../training.js';
import type { GradientBoostingData, GradientBoostingParams } from './types.js';

const MAX_ESTIMATORS = 100_000;
const MAX_LEAVES = 65_536;
export const MAX_CARDINALITY = 1 << 24;
const MAX_THREADS = 64;

/** Checks everything and returns the parameters as stored in the model (without `threads`). */
export function checkTrainingInput(
  train: GradientBoostingData,
  params: GradientBoostingParams,
  validation: GradientBoostingData | undefined,
): GradientBoostingParams {
  const stored = checkParams(params);
  checkData(train, stored, 'training');
  if (validation) {
    checkData(validation, stored, 'validation');
    validation.features.forEach((feature, index) => {
      const expected = train.features[index];
      if (!expected || feature.kind !== expected.kind) {
        fail(
          `validation feature ${index} must be ${expected ? expected.kind : 'absent'} like the training one`,
        );
      }
      if (feature.kind === 'categorical' && expected.kind === 'categorical') {
        if (feature.cardinality !== expected.cardinality) {
          fail(`validation feature ${JSON.stringify(feature.name)} has another cardinality than in training`);
        }
      }
    });
    if (validation.features.length !== train.features.length) {
      fail(`validation has ${validation.features.length} features; training has ${train.features.length}`);
    }
  } else if (stored.earlyStoppingRounds !== null) {
    fail('earlyStoppingRounds needs a validation set: pass options.validation or set it to null');
  }
  if (stored.loss !== 'squared_error') checkClassesPresent(train.target, stored.classCount);
  return stored;
}

/** Range checks of the parameters; returns them as stored in the model (without `threads`). */
export function checkParams(params: GradientBoostingParams): GradientBoostingParams {
  const { loss, classCount } = params;
  if (loss === 'binary_logloss') {
    if (classCount !== 2) fail(`binary_logloss needs classCount 2, got ${classCount}`);
  } else if (loss === 'multiclass_softmax') {
    if (!Number.isInteger(classCount) || classCount < 3 || classCount > 10_000) {
      fail(
        `multiclass_softmax needs an integer classCount of at least 3 (use binary_logloss for 2), got ${classCount}`,
      );
    }
  } else if (loss === 'squared_error') {
    if (classCount !== 1) fail(`squared_error needs classCount 1, got ${classCount}`);
  } else {
    fail(`loss must be binary_logloss, multiclass_softmax or squared_error, got ${JSON.stringify(loss)}`);
  }
  integerIn('nEstimators', params.nEstimators, 1, MAX_ESTIMATORS);
  if (!(params.learningRate > 0 && params.learningRate <= 10)) {
    fail(`learningRate must be in (0, 10], got ${params.learningRate}`);
  }
  if (params.growth !== 'leafwise' && params.growth !== 'depthwise') {
    fail(`growth must be leafwise or depthwise, got ${JSON.stringify(params.growth)}`);
  }
  integerIn('maxLeaves', params.maxLeaves, 2, MAX_LEAVES);
  if (params.maxDepth !== null) integerIn('maxDepth', params.maxDepth, 1, 64);
  integerIn('minSamplesLeaf', params.minSamplesLeaf, 1, Number.MAX_SAFE_INTEGER);
  if (!(params.l2 >= 0 && Number.isFinite(params.l2)))
    fail(`l2 must be a finite number >= 0, got ${params.l2}`);
  integerIn('maxBins', params.maxBins, 2, 255);
  fractionIn('rowSubsample', params.rowSubsample);
  fractionIn('featureSubsample', params.featureSubsample);
  if (params.earlyStoppingRounds !== null)
    integerIn('earlyStoppingRounds', params.earlyStoppingRounds, 1, MAX_ESTIMATORS);
  if (!Number.isSafeInteger(params.seed)) fail(`seed must be an integer, got ${params.seed}`);
  if (params.threads !== undefined) integerIn('threads', params.threads, 1, MAX_THREADS);
  return {
    loss,
    classCount,
    nEstimators: params.nEstimators,
    learningRate: params.learningRate,
    growth: params.growth,
    maxLeaves: params.maxLeaves,
    maxDepth: params.maxDepth,
    minSamplesLeaf: params.minSamplesLeaf,
    l2: params.l2,
    maxBins: params.maxBins,
    rowSubsample: params.rowSubsample,
    featureSubsample: params.featureSubsample,
    earlyStoppingRounds: params.earlyStoppingRounds,
    seed: params.seed,
  };
}

function checkData(data: GradientBoostingData, params: GradientBoostingParams, role: string): void {
  const rowCount = data.target.length;
  if (rowCount === 0) fail(`the ${role} data has no rows`);
  if (data.features.length === 0) fail(`the ${role} data has no features: give at least one feature column`);
  data.features.forEach((feature, index) => {
    const label = `${role} feature ${index} (${JSON.stringify(feature.name)})`;
    if (feature.kind === 'numeric') {
      if (!(feature.values instanceof Float64Array)) fail(`${label} must hold a Float64Array`);
      if (feature.values.length !== rowCount)
        fail(`${label} has ${feature.values.length} rows; the target has ${rowCount}`);
      for (const value of feature.values) {
        if (value === Infinity || value === -Infinity)
          fail(`${label} holds an infinite value; use NaN for missing values`);
      }
    } else if (feature.kind === 'categorical') {
      if (!(feature.codes instanceof Int32Array)) fail(`${label} must hold an Int32Array of codes`);
      if (feature.codes.length !== rowCount)
        fail(`${label} has ${feature.codes.length} rows; the target has ${rowCount}`);
      integerIn(`${label} cardinality`, feature.cardinality, 1, MAX_CARDINALITY);
      for (const code of feature.codes) {
        if (code < -1 || code >= feature.cardinality) {
          fail(`${label} holds code ${code}; codes must be -1 (missing) or in [0, ${feature.cardinality})`);
        }
      }
    } else {
      fail(`${label} has unknown kind ${JSON.stringify((feature as { kind: unknown }).kind)}`);
    }
  });
  for (let row = 0; row < rowCount; row++) {
    const value = data.target[row];
    if (!Number.isFinite(value))
      fail(`the ${role} target holds ${value} at row ${row}; every target must be a finite number`);
    if (
      params.loss !== 'squared_error' &&
      !(Number.isInteger(value) && value >= 0 && value < params.classCount)
    ) {
      fail(
        `the ${role} target holds ${value} at row ${row}; class indices must be integers in [0, ${params.classCount})`,
      );
    }
  }
  if (data.weights) {
    if (data.weights.length !== rowCount)
      fail(`the ${role} weights have ${data.weights.length} rows; the target has ${rowCount}`);
    let total = 0;
    for (const weight of data.weights) {
      if (!(weight >= 0 && Number.isFinite(weight)))
        fail(`the ${role} weights must be finite and >= 0, found ${weight}`);
      total += weight;
    }
    if (!(total > 0)) fail(`the ${role} weights sum to 0; at least one row needs a positive weight`);
  }
}

function checkClassesPresent(target: Float64Array, classCount: number): void {
  const seen = new Uint8Array(classCount);
  let distinct = 0;
  for (const value of target) {
    if (seen[value] === 1) continue;
    seen[value] = 1;
    if (++distinct > 1) return;
  }
  fail('the training target holds a single class; classification needs rows of at least two classes');
}

function integerIn(name: string, value: number, minimum: number, maximum: number): void {
  if (!Number.isInteger(value) || value < minimum || value > maximum) {
    fail(`${name} must be an integer in [${minimum}, ${maximum}], got ${value}`);
  }
}

function fractionIn(name: string, value: number): void {
  if (!(value > 0 && value <= 1)) fail(`${name} must be in (0, 1], got ${value}`);
}

function fail(message: string): never {
  throw new TrainingInputError(message);
}
