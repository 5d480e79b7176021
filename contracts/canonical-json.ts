/**
 * The one canonical JSON of the platform: object keys sorted (by UTF-16 code units), undefined
 * members left out, no whitespace, numbers in JavaScript's shortest round-trip form, typed arrays
 * as arrays. The same value always gives the same bytes, whatever order its fields were built in:
 * model documents are stored (and hashed) in it, and stage cache keys hash it. Changing its output
 * changes every cache key and model file hash, so it needs a documented migration
 * (test/unit/canonical-json.test.ts pins both).
 */
export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  write(value, parts);
  return parts.join('');
}

function write(value: unknown, parts: string[]): void {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new TypeError(`cannot write the non-finite number ${value} as canonical JSON: JSON has none`);
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
