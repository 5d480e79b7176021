/**
 * Canonical JSON text of a model document: object keys sorted, no whitespace, numbers in
 * JavaScript's shortest round-trip form. The same document value always gives the same bytes
 * (and so the same sha256), whatever order its fields were built in.
 */
import type { ModelDocument } from './document.js';

export function serializeModelDocument(document: ModelDocument): string {
  return canonicalJson(document);
}

export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  write(value, parts);
  return parts.join('');
}

function write(value: unknown, parts: string[]): void {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new TypeError(
        `cannot serialize the non-finite number ${value}: model documents hold finite numbers only`,
      );
    }
    parts.push(JSON.stringify(value) ?? 'null');
    return;
  }
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    const entries = value as ArrayLike<unknown>;
    parts.push('[');
    for (let index = 0; index < entries.length; index += 1) {
      if (index > 0) parts.push(',');
      write(entries[index], parts);
    }
    parts.push(']');
    return;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort();
  parts.push('{');
  keys.forEach((key, index) => {
    if (index > 0) parts.push(',');
    parts.push(JSON.stringify(key), ':');
    write(record[key], parts);
  });
  parts.push('}');
}
