/**
 * Strict validation of a model document (see document.ts for its shape). Every failure is a
 * ModelDocumentError naming the JSON path of the offending value; nothing else is ever thrown,
 * nothing is evaluated, and the work is bounded by the document's size. The result is a fresh copy
 * built from validated values only, so later changes to the input cannot reach a loaded model.
 */
import type { FeatureEncoderSpec } from '../encoders/feature-set.js';
import {
  MODEL_FORMAT,
  type InputField,
  type ModelDocument,
  type TargetDescription,
  type TaskType,
} from './document.js';
import { ModelDocumentError } from './errors.js';
import {
  childPath,
  describe,
  fail,
  field,
  readArray,
  readBoolean,
  readChoice,
  readNumber,
  readPlainObject,
  readRecord,
  readString,
  readStringArray,
} from './json-reader.js';
import { readEncoder, readLearned, readTrainer } from './validate-parts.js';

const MAX_FEATURES = 100_000;
const MAX_CLASSES = 10_000;
/** Longer texts are refused before parsing: far above any real model, below memory trouble. */
const MAX_DOCUMENT_LENGTH = 256 * 1024 * 1024;

export function validateModelDocument(value: unknown): ModelDocument {
  try {
    return readDocument(value);
  } catch (error) {
    if (error instanceof ModelDocumentError) throw error;
    // Anything else (a stack overflow, an exotic object) is still a document we cannot load.
    throw new ModelDocumentError(
      '$',
      `could not be read (${error instanceof Error ? error.message : 'unknown failure'})`,
    );
  }
}

export function parseModelDocumentText(text: string): unknown {
  if (text.length > MAX_DOCUMENT_LENGTH)
    fail('$', `is ${text.length} characters long; at most ${MAX_DOCUMENT_LENGTH} are allowed`);
  try {
    return JSON.parse(text);
  } catch (error) {
    return fail('$', `is not valid JSON (${error instanceof Error ? error.message : 'parse failure'})`);
  }
}

function readDocument(value: unknown): ModelDocument {
  // The format first: a document of another version should say so, not list unexpected fields.
  const format = field(readPlainObject(value, '$'), 'format');
  if (format !== MODEL_FORMAT) {
    const found = describe(format);
    fail(
      '$.format',
      typeof format === 'string' && format.startsWith('mlops.model/')
        ? `version ${found} is not supported by this release (it reads ${MODEL_FORMAT})`
        : `must be ${JSON.stringify(MODEL_FORMAT)}, found ${found}`,
    );
  }
  const root = readRecord(value, '$', [
    'format',
    'task',
    'target',
    'features',
    'inputSchema',
    'encoders',
    'trainer',
    'learned',
    'training',
  ]);
  const task = readChoice(root.task, '$.task', ['binary', 'multiclass', 'regression'] as const);
  const target = readTarget(root.target, task);
  const features = readStringArray(root.features, '$.features', 1, MAX_FEATURES);
  const inputSchema = readArray(root.inputSchema, '$.inputSchema', features.length, features.length).map(
    (entry, index) => readInputField(entry, `$.inputSchema[${index}]`, features[index]),
  );
  const encoders: FeatureEncoderSpec[] = readArray(
    root.encoders,
    '$.encoders',
    features.length,
    features.length,
  ).map((entry, index) => readEncoder(entry, `$.encoders[${index}]`, inputSchema[index]));
  const trainer = readTrainer(root.trainer, '$.trainer');
  if (trainer.name === 'logistic_regression' && task === 'regression')
    fail('$.trainer.name', 'logistic_regression cannot make a regression model');
  if (trainer.name === 'linear_regression' && task !== 'regression')
    fail('$.trainer.name', `linear_regression cannot make a ${task} model`);
  const classCount = target.classes?.length ?? 1;
  const learned = readLearned(root.learned, '$.learned', trainer.name, task, classCount, encoders);
  return {
    format: MODEL_FORMAT,
    task,
    target,
    features,
    inputSchema,
    encoders,
    trainer,
    learned,
    training: readTraining(root.training),
  };
}

function readTarget(value: unknown, task: TaskType): TargetDescription {
  const record = readRecord(value, '$.target', ['name', 'type'], ['classes']);
  const name = readString(record.name, '$.target.name');
  const type = readChoice(record.type, '$.target.type', ['number', 'string', 'boolean'] as const);
  if (task === 'regression') {
    if (Object.hasOwn(record, 'classes')) fail('$.target.classes', 'must be absent for a regression model');
    if (type !== 'number') fail('$.target.type', 'must be number for a regression model');
    return { name, type };
  }
  if (!Object.hasOwn(record, 'classes'))
    fail('$.target.classes', `is missing; a ${task} model needs its class labels`);
  const [min, max] = task === 'binary' ? [2, 2] : [3, MAX_CLASSES];
  return { name, type, classes: readStringArray(record.classes, '$.target.classes', min, max) };
}

function readInputField(value: unknown, path: string, featureName: string): InputField {
  const record = readRecord(value, path, ['name', 'type', 'missingInTraining']);
  const name = readString(record.name, childPath(path, 'name'));
  if (name !== featureName)
    fail(childPath(path, 'name'), `must be ${JSON.stringify(featureName)}, the feature at this position`);
  return {
    name,
    type: readChoice(record.type, childPath(path, 'type'), [
      'number',
      'string',
      'boolean',
      'timestamp',
    ] as const),
    missingInTraining: readBoolean(record.missingInTraining, childPath(path, 'missingInTraining')),
  };
}

function readTraining(value: unknown): ModelDocument['training'] {
  const record = readRecord(value, '$.training', [
    'seed',
    'rowCount',
    'validationRowCount',
    'iterations',
    'loss',
    'stopReason',
  ]);
  const count = { min: 0, integer: true };
  return {
    seed: readNumber(record.seed, '$.training.seed', count),
    rowCount: readNumber(record.rowCount, '$.training.rowCount', count),
    validationRowCount: readNumber(record.validationRowCount, '$.training.validationRowCount', count),
    iterations: readNumber(record.iterations, '$.training.iterations', count),
    loss: readNumber(record.loss, '$.training.loss'),
    stopReason: readString(record.stopReason, '$.training.stopReason', 100),
  };
}
