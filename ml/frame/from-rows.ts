/** Frames from arrays of records (parsed JSON, JSONL, API payloads). */
import { type Frame, FrameError } from './frame.js';
import { assertUniqueNames, ColumnAccumulator } from './column-accumulator.js';
import { checkTypeRequests, type FrameBuildOptions, typeRequestFor } from './options.js';

export interface FrameFromRowsOptions extends FrameBuildOptions {
  /** Columns to read, in this order. Default: every key of every row, in first-seen order. */
  readonly columns?: readonly string[];
}

/**
 * Builds a frame from records. A key absent from a row is a missing value; see cell-values.ts for
 * how each value is read and when a column is numeric or categorical.
 */
export function frameFromRows(
  rows: readonly Record<string, unknown>[],
  options: FrameFromRowsOptions = {},
): Frame {
  if (!Array.isArray(rows)) throw new FrameError('rows must be an array of records');
  const names = options.columns ?? collectColumnNames(rows);
  assertUniqueNames(names);
  checkTypeRequests(options, names);
  const accumulators = names.map(
    (name) => new ColumnAccumulator(name, typeRequestFor(options, name), rows.length),
  );
  // A column named like an Object.prototype member ("constructor", "__proto__") must be read as an
  // own property only, or a row without it would yield the inherited member.
  const inherited = names.map((name) => name in Object.prototype);
  for (let rowIndex = 0; rowIndex < rows.length; rowIndex += 1) {
    const row = rows[rowIndex];
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      throw new FrameError(`row ${rowIndex} is not a record (an object of column name to value)`);
    }
    for (let column = 0; column < names.length; column += 1) {
      const name = names[column];
      accumulators[column].push(inherited[column] && !Object.hasOwn(row, name) ? undefined : row[name]);
    }
  }
  return { rowCount: rows.length, columns: accumulators.map((accumulator) => accumulator.finish()) };
}

function collectColumnNames(rows: readonly Record<string, unknown>[]): string[] {
  const names = new Set<string>();
  for (const row of rows) {
    if (row !== null && typeof row === 'object') for (const name of Object.keys(row)) names.add(name);
  }
  return [...names];
}
