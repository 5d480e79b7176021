import type { ServedPiiRules } from '../db/queries/serving.js';
import type { InputField } from '../ml/model/index.js';
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
 * - Absent or null means missing. That is allowed only for inputs that were missing in some
 *   training rows (the model learned what missing means there); other inputs are required.
 * - Unknown names are refused, and `__proto__`, `constructor` and `prototype` are refused by name
 *   even when a model had such an input, so no such key is ever handed on.
 * - Personal data (the version's PII rules): a hashed input takes a string, the raw value that
 *   serving hashes as training did (ml/pii-hash.ts says why not numbers); a dropped column is refused by name, like any
 *   name that is not an input, with a message saying why. Refusing rather than silently dropping
 *   it keeps one rule for every field a model does not read, tells the client to stop sending
 *   personal data the model never uses, and stores nothing of it (a refused request is not
 *   logged). Problems with personal data never quote the value.
 */
export type InstanceValidator = (instances: readonly unknown[]) => InputProblem[];

const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function compileInstanceValidator(
  schema: readonly InputField[],
  pii: ServedPiiRules = { hashed: [], dropped: [] },
): InstanceValidator {
  const fields = new Map(schema.map((field) => [field.name, field]));
  const hashed = new Set(pii.hashed.filter((name) => fields.has(name)));
  const dropped = new Set(pii.dropped.filter((name) => !fields.has(name)));
  const required = schema.filter((field) => !field.missingInTraining && !FORBIDDEN_KEYS.has(field.name));
  const inputList = describeInputs(schema);

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
        if (!field && dropped.has(key)) {
          problems.push({
            index,
            field: key,
            problem:
              'is personal data this model was trained without (pii.drop): leave it out of the request (value not shown)',
          });
          continue;
        }
        if (!field) {
          problems.push({
            index,
            field: key,
            problem: `is not an input of this model (inputs: ${inputList})`,
          });
          continue;
        }
        const problem = hashed.has(key) ? hashedValueProblem(record[key]) : valueProblem(field, record[key]);
        if (problem) problems.push({ index, field: key, problem });
      }
      for (const field of required) {
        if (!Object.hasOwn(record, field.name)) {
          problems.push({
            index,
            field: field.name,
            problem: `is missing: it is required (a ${field.type} that training data always had)`,
          });
        } else if (record[field.name] === null) {
          problems.push({
            index,
            field: field.name,
            problem: `is null: it is required (a ${field.type} that training data always had)`,
          });
        }
      }
    }
    return problems.slice(0, MAX_PROBLEMS);
  };
}

/** A hashed input takes the raw text training hashed (the value itself is never quoted). */
function hashedValueProblem(value: unknown): string | undefined {
  if (value === null || typeof value === 'string') return undefined;
  const kind = Array.isArray(value) ? 'an array' : `a${typeof value === 'object' ? 'n' : ''} ${typeof value}`;
  return `must be a string (personal data, hashed before the model sees it; value not shown), not ${kind}`;
}

/** What is wrong with one value, or undefined when it is fine (null is judged by the caller). */
function valueProblem(field: InputField, value: unknown): string | undefined {
  if (value === null) return undefined;
  switch (field.type) {
    case 'number':
      if (typeof value === 'number') return Number.isFinite(value) ? undefined : 'must be a finite number';
      return `must be a number, not ${kindOf(value)}`;
    case 'string':
      return typeof value === 'string' ? undefined : `must be a string, not ${kindOf(value)}`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `must be true or false, not ${kindOf(value)}`;
    case 'timestamp':
      if (typeof value === 'number')
        return Number.isFinite(value) ? undefined : 'must be a finite number of epoch milliseconds';
      if (typeof value === 'string')
        return Number.isFinite(Date.parse(value))
          ? undefined
          : `must be an ISO 8601 date-time, not ${JSON.stringify(truncate(value))}`;
      return `must be an ISO 8601 date-time string or epoch milliseconds, not ${kindOf(value)}`;
  }
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

function describeInputs(schema: readonly InputField[]): string {
  const names = schema.map((field) => JSON.stringify(field.name));
  return names.length > 12
    ? `${names.slice(0, 12).join(', ')}, … (${names.length} in all)`
    : names.join(', ');
}
