/**
 * How one raw cell value (from JSON rows, column arrays or DuckDB) is read into a frame column.
 *
 * The rules, shared by every frame builder:
 * - missing: null, undefined, '' (the empty string), NaN and ±Infinity (a non-finite number cannot
 *   be standardized or binned, so it is treated as absent rather than poisoning a whole column);
 * - numbers: number and bigint (bigint beyond 2^53 loses precision, as any float would);
 * - booleans: stored as 0/1 in a numeric column (sourceType 'boolean');
 * - timestamps: Date and DuckDB timestamp/date values, stored as epoch milliseconds (sourceType
 *   'timestamp');
 * - strings: always categorical. Numeric-looking strings ("007", "3.5") are NOT sniffed into
 *   numbers: identifiers and codes are often digits, and a column's type should come from the data
 *   source (DuckDB types CSV columns itself). Ask for a numeric column explicitly to parse them.
 */
import { FrameError } from './frame.js';

export type CellKind = 'missing' | 'number' | 'boolean' | 'timestamp' | 'string';

/** The classified cell: `number` for numeric kinds, `text` for strings. Reused between calls. */
export interface CellReading {
  kind: CellKind;
  number: number;
  text: string;
}

const MILLISECONDS_PER_DAY = 86_400_000;

/**
 * Classifies `value` into `reading` (mutated, so that reading millions of cells allocates nothing).
 * Throws FrameError for values no column can hold (objects, arrays, functions).
 */
export function readCell(value: unknown, reading: CellReading, columnName: string, rowIndex: number): void {
  switch (typeof value) {
    case 'number':
      setNumber(reading, value, 'number');
      return;
    case 'string':
      if (value === '') {
        reading.kind = 'missing';
      } else {
        reading.kind = 'string';
        reading.text = value;
      }
      return;
    case 'boolean':
      reading.kind = 'boolean';
      reading.number = value ? 1 : 0;
      return;
    case 'bigint':
      setNumber(reading, Number(value), 'number');
      return;
    case 'undefined':
      reading.kind = 'missing';
      return;
    case 'object':
      if (value === null) {
        reading.kind = 'missing';
        return;
      }
      readObjectCell(value, reading, columnName, rowIndex);
      return;
    default:
      throw unsupportedValue(value, columnName, rowIndex);
  }
}

function setNumber(reading: CellReading, value: number, kind: 'number' | 'timestamp'): void {
  if (Number.isFinite(value)) {
    reading.kind = kind;
    reading.number = value;
  } else {
    reading.kind = 'missing';
  }
}

/** Dates, and the value objects @duckdb/node-api returns for TIMESTAMP, DATE and DECIMAL columns. */
function readObjectCell(value: object, reading: CellReading, columnName: string, rowIndex: number): void {
  if (value instanceof Date) {
    setNumber(reading, value.getTime(), 'timestamp');
    return;
  }
  const fields = value as Record<string, unknown>;
  if (typeof fields.micros === 'bigint') {
    setNumber(reading, Number(fields.micros) / 1000, 'timestamp');
  } else if (typeof fields.millis === 'bigint') {
    setNumber(reading, Number(fields.millis), 'timestamp');
  } else if (typeof fields.nanos === 'bigint') {
    setNumber(reading, Number(fields.nanos) / 1e6, 'timestamp');
  } else if (typeof fields.seconds === 'bigint') {
    setNumber(reading, Number(fields.seconds) * 1000, 'timestamp');
  } else if (typeof fields.days === 'number' && Object.keys(fields).length === 1) {
    setNumber(reading, fields.days * MILLISECONDS_PER_DAY, 'timestamp');
  } else if (typeof fields.scale === 'number' && typeof fields.value === 'bigint') {
    // DECIMAL: its exact digits as text (DuckDBDecimalValue's toString), rounded once to a double.
    setNumber(reading, Number(String(value)), 'number');
  } else {
    throw unsupportedValue(value, columnName, rowIndex);
  }
}

function unsupportedValue(value: unknown, columnName: string, rowIndex: number): FrameError {
  const shape = Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`;
  return new FrameError(
    `column ${JSON.stringify(columnName)} row ${rowIndex} holds ${shape}; frames hold numbers, strings, ` +
      'booleans, dates and null only: flatten nested values or cast them in the query',
  );
}

/** Parses a string as a number for a column the caller declared numeric; FrameError otherwise. */
export function parseNumericText(text: string, columnName: string, rowIndex: number): number {
  const parsed = text.trim() === '' ? NaN : Number(text);
  if (Number.isNaN(parsed)) {
    throw new FrameError(
      `column ${JSON.stringify(columnName)} was declared numeric but row ${rowIndex} holds ` +
        `${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text)}; ` +
        'fix the value or declare the column categorical',
    );
  }
  return parsed;
}

/** The text a non-string cell becomes in a categorical column. */
export function cellText(kind: CellKind, number: number): string {
  if (kind === 'boolean') return number === 1 ? 'true' : 'false';
  if (kind === 'timestamp') return new Date(number).toISOString();
  return String(number);
}
