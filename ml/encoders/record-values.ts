/**
 * Reading one feature from a record at prediction time (serving). Lenient on purpose, the way a
 * JSON client is likely to send values, and never throwing: a value that cannot be read as the
 * feature's type is treated as missing (numeric) or unknown (categorical), and then imputed or
 * bucketed like any other.
 * - numeric features accept numbers, numeric strings ("3.5"), booleans (1/0), bigint, Date and,
 *   for timestamp features, date strings (Date.parse);
 * - categorical features accept strings, and numbers and booleans as their text ("3", "true").
 */
/** A numeric feature's raw value, NaN when missing or unreadable. */
export function numericFromRecordValue(value: unknown, isTimestamp: boolean): number {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? value : NaN;
    case 'boolean':
      return value ? 1 : 0;
    case 'bigint':
      return Number(value);
    case 'string': {
      if (value.trim() === '') return NaN;
      const parsed =
        isTimestamp && !/^[-+]?[\d.]+(e[-+]?\d+)?$/i.test(value.trim()) ? Date.parse(value) : Number(value);
      return Number.isFinite(parsed) ? parsed : NaN;
    }
    case 'object':
      if (value instanceof Date) {
        const time = value.getTime();
        return Number.isFinite(time) ? time : NaN;
      }
      return NaN;
    default:
      return NaN;
  }
}

/**
 * A categorical feature's text, or null when missing. Returns undefined for values that have no
 * text (objects, arrays), which the caller treats as unknown.
 */
export function textFromRecordValue(value: unknown): string | null | undefined {
  switch (typeof value) {
    case 'string':
      return value === '' ? null : value;
    case 'number':
      return Number.isFinite(value) ? String(value) : null;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return String(value);
    case 'undefined':
      return null;
    case 'object':
      if (value === null) return null;
      if (value instanceof Date) return Number.isFinite(value.getTime()) ? value.toISOString() : null;
      return undefined;
    default:
      return undefined;
  }
}
