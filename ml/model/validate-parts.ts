/** Validation of a model document's encoders, trainer parameters and learned parameters. */
import type { CategoricalEncoderSpec } from '../encoders/categorical.js';
import type { FeatureEncoderSpec } from '../encoders/feature-set.js';
import type { NumericEncoderSpec } from '../encoders/numeric.js';
import { validateGradientBoostingModel } from '../gbdt/index.js';
import { linearLayout } from '../linear/design.js';
import type { LinearLearned } from '../linear/linear-model.js';
import type { InputField, LearnedParameters, TaskType } from './document.js';
import { ModelDocumentError } from './errors.js';
import { gradientBoostingCardinality } from './gradient-boosting-input.js';
import {
  childPath,
  fail,
  field,
  readArray,
  readBoolean,
  readChoice,
  readNumber,
  readNumberArray,
  readPlainObject,
  readRecord,
  readString,
  readStringArray,
} from './json-reader.js';
import { resolveParams, TRAINER_NAMES, type ResolvedParams, type TrainerName } from './trainer-params.js';

/** Raw values and encoder centres stay far from overflow once combined. */
const LARGEST_MAGNITUDE = 1e300;
/** Far beyond any useful linear weight; keeps every score finite (see feature-inputs.ts). */
const LARGEST_WEIGHT = 1e100;
const MAX_CATEGORIES = 10_000_000;
const NUMERIC_INPUT_TYPES = ['number', 'boolean', 'timestamp'];

export function readEncoder(value: unknown, path: string, input: InputField): FeatureEncoderSpec {
  const kind = readChoice(field(readPlainObject(value, path), 'kind'), childPath(path, 'kind'), [
    'numeric',
    'categorical',
  ]);
  if (kind === 'numeric') {
    if (!NUMERIC_INPUT_TYPES.includes(input.type))
      fail(childPath(path, 'kind'), `numeric does not fit input type ${input.type}`);
    const record = readRecord(value, path, [
      'kind',
      'name',
      'imputation',
      'imputedValue',
      'center',
      'scale',
      'missingIndicator',
    ]);
    const magnitude = { min: -LARGEST_MAGNITUDE, max: LARGEST_MAGNITUDE };
    const encoder: NumericEncoderSpec = {
      kind,
      name: readName(record, path, input),
      imputation: readChoice(record.imputation, childPath(path, 'imputation'), ['mean', 'median']),
      imputedValue: readNumber(record.imputedValue, childPath(path, 'imputedValue'), magnitude),
      center: readNumber(record.center, childPath(path, 'center'), magnitude),
      scale: readNumber(record.scale, childPath(path, 'scale'), { min: 1e-300, max: LARGEST_MAGNITUDE }),
      missingIndicator: readBoolean(record.missingIndicator, childPath(path, 'missingIndicator')),
    };
    return encoder;
  }
  if (input.type !== 'string')
    fail(childPath(path, 'kind'), `categorical does not fit input type ${input.type}`);
  const record = readRecord(value, path, ['kind', 'name', 'categories', 'otherCategories']);
  const categories = readStringArray(record.categories, childPath(path, 'categories'), 0, MAX_CATEGORIES);
  const otherCategories = readStringArray(
    record.otherCategories,
    childPath(path, 'otherCategories'),
    0,
    MAX_CATEGORIES,
  );
  const kept = new Set(categories);
  otherCategories.forEach((text, index) => {
    if (kept.has(text)) fail(childPath(childPath(path, 'otherCategories'), index), 'is also a kept category');
  });
  const encoder: CategoricalEncoderSpec = {
    kind,
    name: readName(record, path, input),
    categories,
    otherCategories,
  };
  return encoder;
}

function readName(record: Readonly<Record<string, unknown>>, path: string, input: InputField): string {
  const name = readString(record.name, childPath(path, 'name'));
  if (name !== input.name)
    fail(childPath(path, 'name'), `must be ${JSON.stringify(input.name)}, the feature at this position`);
  return name;
}

export function readTrainer(value: unknown, path: string): { name: TrainerName; params: ResolvedParams } {
  const record = readRecord(value, path, ['name', 'params']);
  const name = readChoice(record.name, childPath(path, 'name'), TRAINER_NAMES);
  const paramsPath = childPath(path, 'params');
  const given = readPlainObject(record.params, paramsPath, 100);
  const params = resolveParams(
    name,
    Object.keys(given),
    (key) => given[key],
    (key, problem) => new ModelDocumentError(key === null ? paramsPath : childPath(paramsPath, key), problem),
    true,
  );
  return { name, params };
}

export function readLearned(
  value: unknown,
  path: string,
  trainer: TrainerName,
  task: TaskType,
  classCount: number,
  encoders: readonly FeatureEncoderSpec[],
): LearnedParameters {
  const expectedKind = trainer === 'gradient_boosting' ? 'gradient_boosting' : 'linear';
  readChoice(field(readPlainObject(value, path), 'kind'), childPath(path, 'kind'), [expectedKind]);
  if (expectedKind === 'linear') return readLinear(value, path, task, classCount, encoders);
  const record = readRecord(value, path, ['kind', 'model']);
  const modelPath = childPath(path, 'model');
  const model = validateGradientBoostingModel(record.model, modelPath);
  const expectedLoss =
    task === 'regression' ? 'squared_error' : task === 'binary' ? 'binary_logloss' : 'multiclass_softmax';
  if (model.params.loss !== expectedLoss)
    fail(`${modelPath}.params.loss`, `must be ${expectedLoss} for a ${task} model`);
  if (task !== 'regression' && model.params.classCount !== classCount) {
    fail(`${modelPath}.params.classCount`, `must be ${classCount}, the number of target classes`);
  }
  if (model.features.length !== encoders.length)
    fail(`${modelPath}.features`, `must list the ${encoders.length} features`);
  model.features.forEach((feature, index) => {
    const encoder = encoders[index];
    const featurePath = `${modelPath}.features[${index}]`;
    if (feature.name !== encoder.name || feature.kind !== encoder.kind) {
      fail(featurePath, `must be the ${encoder.kind} feature ${JSON.stringify(encoder.name)}`);
    }
    if (
      feature.kind === 'categorical' &&
      encoder.kind === 'categorical' &&
      feature.cardinality !== gradientBoostingCardinality(encoder)
    ) {
      fail(
        `${featurePath}.cardinality`,
        `must be ${gradientBoostingCardinality(encoder)} (kept categories, other and unknown)`,
      );
    }
  });
  return { kind: 'gradient_boosting', model };
}

function readLinear(
  value: unknown,
  path: string,
  task: TaskType,
  classCount: number,
  encoders: readonly FeatureEncoderSpec[],
): LinearLearned {
  const record = readRecord(value, path, ['kind', 'intercepts', 'coefficients']);
  const outputs = task === 'multiclass' ? classCount : 1;
  const weightCount = linearLayout(encoders).weightCount;
  const bounds = { min: -LARGEST_WEIGHT, max: LARGEST_WEIGHT };
  const intercepts = readNumberArray(record.intercepts, childPath(path, 'intercepts'), outputs, bounds);
  const coefficientsPath = childPath(path, 'coefficients');
  const coefficients = readArray(record.coefficients, coefficientsPath, outputs, outputs).map((row, index) =>
    readNumberArray(row, childPath(coefficientsPath, index), weightCount, bounds),
  );
  return { kind: 'linear', intercepts, coefficients };
}
