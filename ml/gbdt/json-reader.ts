/**
 * Small readers for untrusted JSON values: each checks one value's type and bounds and throws a
 * ModelDocumentError naming its JSON path. They never evaluate anything.
 */
import { ModelDocumentError } from '../model/errors.js';

export type JsonObject = Record<string, unknown>;

export function readObject(value: unknown, path: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ModelDocumentError(path, `must be an object, found ${describe(value)}`);
  }
  return value as JsonObject;
}

export function readField(object: JsonObject, key: string, path: string): unknown {
  if (!Object.prototype.hasOwnProperty.call(object, key)) {
    throw new ModelDocumentError(`${path}.${key}`, 'is missing');
  }
  return object[key];
}

export function readArray(value: unknown, path: string, minLength: number, maxLength: number): unknown[] {
  if (!Array.isArray(value)) throw new ModelDocumentError(path, `must be an array, found ${describe(value)}`);
  if (value.length < minLength || value.length > maxLength) {
    throw new ModelDocumentError(
      path,
      `must hold ${minLength} to ${maxLength} entries, found ${value.length}`,
    );
  }
  return value;
}

export function readFinite(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ModelDocumentError(path, `must be a finite number, found ${describe(value)}`);
  }
  return value;
}

export function readInteger(value: unknown, path: string, minimum: number, maximum: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum || value > maximum) {
    throw new ModelDocumentError(
      path,
      `must be an integer in [${minimum}, ${maximum}], found ${describe(value)}`,
    );
  }
  return value;
}

export function readBoolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean')
    throw new ModelDocumentError(path, `must be true or false, found ${describe(value)}`);
  return value;
}

export function readString(value: unknown, path: string, maxLength: number): string {
  if (typeof value !== 'string' || value.length > maxLength) {
    throw new ModelDocumentError(
      path,
      `must be a string of at most ${maxLength} characters, found ${describe(value)}`,
    );
  }
  return value;
}

export function readChoice<Choice extends string>(
  value: unknown,
  path: string,
  choices: readonly Choice[],
): Choice {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new ModelDocumentError(path, `must be one of ${choices.join(', ')}, found ${describe(value)}`);
  }
  return value as Choice;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 40 ? 'a long string' : JSON.stringify(value);
  if (typeof value === 'number') return String(value);
  return typeof value;
}
