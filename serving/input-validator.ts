import type { ServedPiiRules } from '../db/queries/serving.js';
import type { InputField, InputType } from '../ml/model/index.js';
import { MAX_PROBLEMS, type InputProblem } from './http-errors.js';

/**
 * Checks instances against a model version's input schema before anything reaches the model,
 * strictly where the model itself would be lenient (ml/encoders/record-values.ts reads "3.5" as a
 * number and anything unreadable as missing): a client's mistake is reported, never silently imputed.
 *
 * - An instance is a JSON object of input name to value; anything else is refused.
 * - `number` inputs take finite JSON numbers only: a string such as "NaN" or "3.5" is refused, and
 *   so is 1e999 (which JSON.parse reads as Infinity).
 * - `string` inputs take strings, `boolean` inputs true or false, `timestamp` inputs an ISO 8601
 *   string or epoch milliseconds. A category never seen in training is fine (its unknown bucket).
 * - Absent or null means missing. That is allowed only for the inputs the version's spec lists in
 *   `serving.allowMissing` (the model imputes them as training did, and the answer says so);
 *   every other input is required, whether or not some training rows lacked it: a client that
 *   forgot four of five measurements must hear so, not get a confident guess.
 * - Unknown names are refused, and `__proto__`, `constructor` and `prototype` are refused by name
 *   even when a model had such an input, so no such key is ever handed on.
 * - Personal data (the version's PII rules): a hashed input takes a string, the raw value that
 *   serving hashes as training did (ml/pii-hash.ts says why not numbers); a dropped column is refused by name, like any
 *   name that is not an input, with a message saying why. Refusing rather than silently dropping
 *   it keeps one rule for every field a model does not read, tells the client to stop sending
 *   personal data the model never uses, and stores nothing of it (a refused request is not
 *   logged). Problems with personal data never quote the value.
 *
 * The same rules give the instance's JSON Schema (`instanceJsonSchema`, published in
 * /openapi.json), so what the document promises is what the server checks.
 */
export type InstanceValidator = (instances: readonly unknown[]) => InputProblem[];

/** What a version's inputs accept: its schema, its PII rules and the inputs that may be missing. */
export interface InputRules {
  readonly schema: readonly InputField[];
  readonly pii: ServedPiiRules;
  /** Inputs a request may leave out (the spec's `serving.allowMissing`). */
  readonly allowMissing: readonly string[];
}

const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** One kind of value: its JSON Schema and the check the server makes (undefined: fine; null is judged apart). */
interface ValueRule {
  readonly jsonSchema: Readonly<Record<string, unknown>>;
  readonly problem: (value: unknown) => string | undefined;
}

const VALUE_RULES: Readonly<Record<InputType | 'hashed', ValueRule>> = {
  number: {
    jsonSchema: { type: 'number' },
    problem: (value) =>
      typeof value === 'number'
        ? Number.isFinite(value)
          ? undefined
          : 'must be a finite number'
        : `must be a number, not ${kindOf(value)}`,
  },
  string: {
    jsonSchema: { type: 'string' },
    problem: (value) => (typeof value === 'string' ? undefined : `must be a string, not ${kindOf(value)}`),
  },
  boolean: {
    jsonSchema: { type: 'boolean' },
    problem: (value) =>
      typeof value === 'boolean' ? undefined : `must be true or false, not ${kindOf(value)}`,
  },
  timestamp: {
    jsonSchema: {
      anyOf: [
        { type: 'string', description: 'an ISO 8601 date-time' },
        { type: 'number', description: 'epoch milliseconds' },
      ],
    },
    problem: (value) => {
      if (typeof value === 'number')
        return Number.isFinite(value) ? undefined : 'must be a finite number of epoch milliseconds';
      if (typeof value === 'string')
        return Number.isFinite(Date.parse(value))
          ? undefined
          : `must be an ISO 8601 date-time, not ${JSON.stringify(truncate(value))}`;
      return `must be an ISO 8601 date-time string or epoch milliseconds, not ${kindOf(value)}`;
    },
  },
  // A hashed input takes the raw text training hashed (the value itself is never quoted).
  hashed: {
    jsonSchema: {
      type: 'string',
      description:
        'personal data: sent raw, replaced by its keyed hash before the model sees it or it is logged',
    },
    problem: (value) => {
      if (typeof value === 'string') return undefined;
      const kind = Array.isArray(value)
        ? 'an array'
        : `a${typeof value === 'object' ? 'n' : ''} ${typeof value}`;
      return `must be a string (personal data, hashed before the model sees it; value not shown), not ${kind}`;
    },
  },
};

/** The rule set of a version, with what is derived from it once. */
function resolve(rules: InputRules) {
  const { schema, pii } = rules;
  const fields = new Map(schema.map((field) => [field.name, field]));
  const hashed = new Set(pii.hashed.filter((name) => fields.has(name)));
  const mayBeMissing = new Set(rules.allowMissing.filter((name) => fields.has(name)));
  const served = schema.filter((field) => !FORBIDDEN_KEYS.has(field.name));
  return {
    fields,
    hashed,
    mayBeMissing,
    served,
    dropped: new Set(pii.dropped.filter((name) => !fields.has(name))),
    required: served.filter((field) => !mayBeMissing.has(field.name)),
    ruleOf: (field: InputField) => VALUE_RULES[hashed.has(field.name) ? 'hashed' : field.type],
  };
}

export function compileInstanceValidator(rules: InputRules): InstanceValidator {
  const { fields, dropped, required, ruleOf } = resolve(rules);
  const inputList = describeInputs(rules.schema);

  return (instances) => {
    const problems: InputProblem[] = [];
    for (let index = 0; index < instances.length && problems.length < MAX_PROBLEMS; index += 1) {
      const instance = instances[index];
      if (instance === null || typeof instance !== 'object' || Array.isArray(instance)) {
        problems.push({
          index,
          problem: `must be a JSON object of input name to value, not ${kindOf(instance)}`,
        });
        continue;
      }
      const record = instance as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        if (FORBIDDEN_KEYS.has(key)) {
          problems.push({ index, field: key, problem: 'is a forbidden key' });
          continue;
        }
        const field = fields.get(key);
        if (!field) {
          problems.push({ index, field: key, problem: notAnInput(dropped.has(key), inputList) });
          continue;
        }
        const problem = record[key] === null ? undefined : ruleOf(field).problem(record[key]);
        if (problem) problems.push({ index, field: key, problem });
      }
      for (const field of required) {
        const value = record[field.name];
        if (value === undefined || value === null) {
          problems.push({
            index,
            field: field.name,
            problem: `is ${Object.hasOwn(record, field.name) ? 'null' : 'missing'}: it is required (a ${field.type}; the spec's serving.allowMissing lists the inputs that may be left out)`,
          });
        }
      }
    }
    return problems.slice(0, MAX_PROBLEMS);
  };
}

/** Per instance, the inputs it left out (absent or null) that the model imputes; validated instances only. */
export function compileImputedFields(
  rules: InputRules,
): (instances: readonly Record<string, unknown>[]) => string[][] {
  const names = [...resolve(rules).mayBeMissing];
  return (instances) =>
    instances.map((instance) =>
      names.filter((name) => instance[name] === undefined || instance[name] === null),
    );
}

/** The JSON Schema (2020-12) of one instance: exactly what compileInstanceValidator accepts. */
export function instanceJsonSchema(rules: InputRules): Record<string, unknown> {
  const { served, required, mayBeMissing, ruleOf } = resolve(rules);
  const properties: Record<string, unknown> = {};
  for (const field of served) {
    const rule = ruleOf(field).jsonSchema;
    properties[field.name] = mayBeMissing.has(field.name)
      ? { anyOf: [rule, { type: 'null' }], description: 'may be left out or null: the model imputes it' }
      : rule;
  }
  return {
    type: 'object',
    properties,
    required: required.map((field) => field.name),
    additionalProperties: false,
  };
}

/** `a string ("NaN")`, `an array`, `null`: what a client sent, short enough for an error message. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return `a string (${JSON.stringify(truncate(value))})`;
    case 'number':
      return `a number (${value})`;
    case 'boolean':
      return `a boolean (${value})`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/**
 * What is wrong with a name that is not an input: personal data the model was trained without
 * (said so, its value never shown), or any other name (the inputs listed). V1 and V2 alike.
 */
export function notAnInput(droppedPii: boolean, inputList: string): string {
  return droppedPii
    ? 'is personal data this model was trained without (pii.drop): leave it out of the request (value not shown)'
    : `is not an input of this model (inputs: ${inputList})`;
}

export function describeInputs(schema: readonly InputField[]): string {
  const names = schema.map((field) => JSON.stringify(field.name));
  return names.length > 12
    ? `${names.slice(0, 12).join(', ')}, … (${names.length} in all)`
    : names.join(', ');
}
