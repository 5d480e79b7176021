/**
 * Readers for untrusted JSON values in model documents. Each checks one value's type and bounds
 * and throws a ModelDocumentError naming its JSON path. Objects must be plain (no class instances)
 * with only the expected keys; keys that could pollute prototypes are refused outright; fields are
 * read as own data properties only, so no getter and no inherited member is ever run or read.
 */
import { ModelDocumentError } from './errors.js';

export type JsonRecord = Readonly<Record<string, unknown>>;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function fail(path: string, problem: string): never {
  throw new ModelDocumentError(path, problem);
}

export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** A plain object holding only `allowedKeys` (all of `requiredKeys` present). */
export function readRecord(
  value: unknown,
  path: string,
  requiredKeys: readonly string[],
  optionalKeys: readonly string[] = [],
): JsonRecord {
  const record = readPlainObject(value, path);
  for (const key of Object.keys(record)) {
    if (!requiredKeys.includes(key) && !optionalKeys.includes(key)) {
      fail(
        childPath(path, key),
        `is not a field of this object (expected ${[...requiredKeys, ...optionalKeys].join(', ')})`,
      );
    }
  }
  for (const key of requiredKeys) if (!Object.hasOwn(record, key)) fail(childPath(path, key), 'is missing');
  return record;
}

/** A plain object with any keys (a map), refusing prototype-polluting keys and accessors. */
export function readPlainObject(value: unknown, path: string, maxKeys = 10_000): JsonRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(path, `must be an object, found ${describe(value)}`);
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) fail(path, 'must be a plain JSON object');
  const keys = Reflect.ownKeys(value);
  if (keys.length > maxKeys) fail(path, `has ${keys.length} keys, at most ${maxKeys} are allowed`);
  for (const key of keys) {
    if (typeof key !== 'string') fail(path, 'has a symbol key');
    if (FORBIDDEN_KEYS.has(key))
      fail(childPath(path, key), 'is a forbidden key (it could pollute object prototypes)');
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (descriptor === undefined || !('value' in descriptor))
      fail(childPath(path, key), 'must be a data property');
  }
  return value as JsonRecord;
}

/** An own field of a record already read (present unless optional). */
export function field(record: JsonRecord, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

export function readArray(
  value: unknown,
  path: string,
  minLength: number,
  maxLength: number,
): readonly unknown[] {
  if (!Array.isArray(value)) fail(path, `must be an array, found ${describe(value)}`);
  if (Object.getPrototypeOf(value) !== Array.prototype) fail(path, 'must be a plain JSON array');
  if (value.length < minLength || value.length > maxLength) {
    fail(
      path,
      `must hold ${minLength === maxLength ? minLength : `${minLength} to ${maxLength}`} entries, found ${value.length}`,
    );
  }
  for (let index = 0; index < value.length; index += 1) {
    const descriptor = Object.getOwnPropertyDescriptor(value, index);
    if (descriptor === undefined || !('value' in descriptor))
      fail(childPath(path, index), 'must be a data entry');
  }
  return value;
}

export interface NumberBounds {
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
  /** The minimum itself is not allowed. */
  readonly exclusiveMin?: boolean;
}

export function readNumber(value: unknown, path: string, bounds: NumberBounds = {}): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    fail(path, `must be a finite number, found ${describe(value)}`);
  if (bounds.integer && !Number.isSafeInteger(value)) fail(path, `must be an integer, found ${value}`);
  const { min, max } = bounds;
  if (min !== undefined && (value < min || (bounds.exclusiveMin && value === min))) {
    fail(path, `must be ${bounds.exclusiveMin ? 'greater than' : 'at least'} ${min}, found ${value}`);
  }
  if (max !== undefined && value > max) fail(path, `must be at most ${max}, found ${value}`);
  return value;
}

export function readNumberArray(
  value: unknown,
  path: string,
  length: number,
  bounds: NumberBounds = {},
): number[] {
  const entries = readArray(value, path, length, length);
  return entries.map((entry, index) => readNumber(entry, childPath(path, index), bounds));
}

export function readString(value: unknown, path: string, maxLength = 10_000): string {
  if (typeof value !== 'string') fail(path, `must be a string, found ${describe(value)}`);
  if (value.length > maxLength)
    fail(path, `must be at most ${maxLength} characters long, found ${value.length}`);
  return value;
}

export function readStringArray(
  value: unknown,
  path: string,
  minLength: number,
  maxLength: number,
): string[] {
  const entries = readArray(value, path, minLength, maxLength);
  const strings = entries.map((entry, index) => readString(entry, childPath(path, index)));
  const seen = new Set<string>();
  strings.forEach((text, index) => {
    if (seen.has(text)) fail(childPath(path, index), `repeats ${describe(text)}`);
    seen.add(text);
  });
  return strings;
}

export function readBoolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') fail(path, `must be true or false, found ${describe(value)}`);
  return value;
}

export function readChoice<Choice extends string>(
  value: unknown,
  path: string,
  choices: readonly Choice[],
): Choice {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    fail(
      path,
      `must be one of ${choices.map((choice) => JSON.stringify(choice)).join(', ')}, found ${describe(value)}`,
    );
  }
  return value as Choice;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 40 ? 'a long string' : JSON.stringify(value);
  if (typeof value === 'number') return String(value);
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
