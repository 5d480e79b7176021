/**
 * The spec's JSON Schema (schema/spec.schema.json, written by `npm run spec:schema`), generated
 * from the zod schema so the two cannot disagree on shape: editors use it for completion and
 * checking as a spec is typed. It checks shape only; `parseSpec` (spec/parse.ts) stays the
 * authority, adding the rules between fields and the trainers' parameter bounds.
 */
import { z } from 'zod';
import { specSchema } from './schema.js';

type JsonSchemaNode = Record<string, unknown>;

/**
 * What each field means, by its path in a spec (`*` for any key of a map, `[]` for any item of a
 * list): shown by editors on hover. Here rather than in spec/schema.ts so the schema stays the
 * short statement of what parses; a path that names no field fails generation, so this table
 * cannot outlive a renamed field.
 */
const descriptions: Readonly<Record<string, string>> = {
  name: 'Pipeline and registered model name: 1-63 letters, digits, dots, dashes or underscores, starting with a letter or digit.',
  dataset: 'Where the training data comes from.',
  'dataset.uri':
    'A local path (resolved against the directory `mlops run` runs in; read only under it and MLOPS_DATA_ROOTS), file://, s3:// or http(s)://.',
  'dataset.format': "csv, json or parquet. Default: inferred from the URI's extension.",
  'dataset.query': 'SQL (DuckDB) over the table `data`; its result is the dataset. Default: every row.',
  target: 'The column to predict.',
  task: 'binary, multiclass or regression. Default: inferred from the target (numbers with fractions or more than 20 distinct values: regression; two values: binary; more: multiclass).',
  features:
    "The model's input columns. Default: every column but the target, exclude, pii.drop, sensitive and split.timeColumn.",
  exclude: 'Columns that are never features (when features is not given).',
  pii: 'Columns holding personal data, de-identified before the dataset is stored.',
  'pii.drop': 'Removed at de-identification: never stored, never features.',
  'pii.hash':
    'Replaced by their keyed HMAC-SHA256 (MLOPS_PII_HMAC_KEY) at de-identification and at serving; still features.',
  'pii.hashed':
    "Already the keyed HMAC under the platform's key (a retraining spec built from the prediction log sets this): kept as they are, hashed at serving like pii.hash.",
  sensitive:
    'Columns fairness is measured on (fairness gates, the report); not features unless listed in features.',
  validation: 'Expectations the ingested data must meet; a failure lists every violation.',
  'validation.minRows': 'The dataset must have at least this many rows.',
  'validation.maxNullFraction':
    "Share of null values (0-1) any column may have, unless the column's own maxNullFraction says otherwise.",
  'validation.columns': 'Expectations for named columns (quote names with spaces).',
  'validation.columns.*': "One column's expectations.",
  'validation.columns.*.type': "The values' type.",
  'validation.columns.*.min': 'No value may be below this (numbers).',
  'validation.columns.*.max': 'No value may be above this (numbers).',
  'validation.columns.*.allowed': 'The only values allowed (nulls aside).',
  'validation.columns.*.maxInvalidFraction': 'Share of the non-null values that may fail `type`. Default: 0.',
  'validation.columns.*.maxNullFraction':
    "Share of null values this column may have, instead of validation's maxNullFraction.",
  split: 'How the rows are split into train, validation and test parts.',
  'split.strategy':
    'random (seeded, stratified by a classification target) or time (by split.timeColumn: the latest rows are test).',
  'split.testFraction':
    'Share of the rows for test (with strategy time: the latest, unless testFrom is set).',
  'split.validationFraction':
    'Share of the rows for validation (0 for none); testFraction + validationFraction must be below 1.',
  'split.seed': 'Seed of the random split, of tuning and of the trainers.',
  'split.timeColumn':
    'strategy time: the column to split by (date, timestamp, number or ISO-date text); required then, refused otherwise.',
  'split.testFrom': 'strategy time: rows at or after this time are test (instead of the last testFraction).',
  'split.validationFrom': 'strategy time: rows at or after this time, before testFrom, are validation.',
  train: 'How the model is trained.',
  'train.trainer': 'A built-in trainer, or command: your own code writing an ONNX model (docs/trainers.md).',
  'train.command':
    "trainer command: the program and its arguments (no shell), run in a copy of the spec's folder.",
  'train.python':
    'trainer command: a virtual environment to run the command in, from requirements or requirementsFile (one of them).',
  'train.python.requirements': "Requirements in pip's format, e.g. scikit-learn==1.9.1.",
  'train.python.requirementsFile': "A requirements file in the spec's folder (a relative path without ..).",
  'train.timeout': "trainer command: the train stage's budget, e.g. 90s, 30m, 2h, 1d. Default: 12h.",
  'train.params':
    "The trainer's parameters: a built-in trainer's are checked against its names and bounds; a command's are handed to it (MLOPS_PARAMS_PATH).",
  'train.search':
    'Tuning: values to try per parameter, over params; the best trial by the primary metric on the validation part is trained.',
  'train.searchStrategy':
    'grid: every combination (a seeded sample of maxTrials of them when set); random: maxTrials seeded draws (default 10).',
  'train.maxTrials':
    'At most this many trials; needs search, and a grid of more than 1000 combinations needs it.',
  'train.maxParallelTrials': 'Trials run at once.',
  'train.resources': 'What the train stage needs.',
  'train.resources.gpu': 'GPUs; above 0 routes training to the GPU pool.',
  evaluation: 'How the trained model is judged on the test part.',
  'evaluation.primaryMetric':
    'The metric tuning and the champion comparison use. Default: accuracy for classification, rmse for regression.',
  'evaluation.gates':
    'Bounds the model must meet; a failed gate rejects the run (registered, never promoted).',
  'evaluation.gates[]':
    'A metric gate { metric, min and/or max } or a fairness gate { fairness, attribute?, min and/or max }.',
  'evaluation.gates[].metric': 'A test metric to bound (one that fits the task).',
  'evaluation.gates[].fairness': 'A fairness metric to bound, over the sensitive columns.',
  'evaluation.gates[].attribute':
    'Fairness gates: the sensitive column to judge. Default: every one in sensitive, the worst value.',
  'evaluation.gates[].min': 'The value must be at least this.',
  'evaluation.gates[].max': 'The value must be at most this.',
  'evaluation.compareToChampion':
    'The new version must be no worse than the current champion on the primary metric, on the same test part.',
  deploy: 'What happens to a version that passed every gate.',
  'deploy.promote': 'Make it the champion (the version served).',
  serving: 'How the served model treats prediction requests.',
  'serving.allowMissing':
    'Input columns a prediction request may leave out (absent or null): the model imputes them as in training and the response names them; any other missing input is refused (400). Not the target, an exclude or pii.drop column, or a column outside features.',
};

/**
 * What the gate's refinement in spec/schema.ts checks, which no generator can read from a
 * function: one of metric or fairness, a threshold, and attribute with fairness only.
 */
const gateRules: JsonSchemaNode = {
  oneOf: [{ required: ['metric'] }, { required: ['fairness'] }],
  anyOf: [{ required: ['min'] }, { required: ['max'] }],
  not: { required: ['metric', 'attribute'] },
};

/** The spec's JSON Schema (draft 2020-12) as an object; `npm run spec:schema` writes it. */
export function specJsonSchema(): JsonSchemaNode {
  // io 'input': what a user writes, so fields with defaults are optional (their defaults shown).
  const generated = z.toJSONSchema(specSchema, { io: 'input', target: 'draft-2020-12' }) as JsonSchemaNode;
  const unused = new Set(Object.keys(descriptions));
  const annotated = annotate(generated, '', unused);
  if (unused.size > 0)
    throw new Error(`spec/json-schema.ts describes fields the spec does not have: ${[...unused].join(', ')}`);
  const { $schema, ...rest } = annotated;
  return {
    $schema,
    title: 'mlops pipeline spec',
    description:
      "A pipeline spec for `mlops run` (docs/spec.md). This schema checks shape; `mlops run` also checks the rules between fields and the trainers' parameters, and lists every problem.",
    ...rest,
  };
}

function annotate(node: JsonSchemaNode, path: string, unused: Set<string>): JsonSchemaNode {
  const result: JsonSchemaNode = {};
  const description = descriptions[path];
  if (description !== undefined) {
    result.description = description;
    unused.delete(path);
  }
  for (const [key, value] of Object.entries(node)) {
    // z.int() states the safe-integer range, which says nothing to a person reading a hover.
    if (node.type === 'integer' && isSafeIntegerBound(key, value)) continue;
    if (key === 'properties' && isNode(value)) {
      result.properties = Object.fromEntries(
        Object.entries(value).map(([name, child]) => [
          name,
          annotate(child as JsonSchemaNode, path ? `${path}.${name}` : name, unused),
        ]),
      );
    } else if (key === 'additionalProperties' && isNode(value)) {
      result.additionalProperties = annotate(value, `${path}.*`, unused);
    } else if (key === 'items' && isNode(value)) {
      result.items = annotate(value, `${path}[]`, unused);
    } else result[key] = value;
  }
  return path === 'evaluation.gates[]' ? { ...result, ...gateRules } : result;
}

function isNode(value: unknown): value is JsonSchemaNode {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isSafeIntegerBound(key: string, value: unknown): boolean {
  return (
    (key === 'minimum' && value === Number.MIN_SAFE_INTEGER) ||
    (key === 'maximum' && value === Number.MAX_SAFE_INTEGER)
  );
}
