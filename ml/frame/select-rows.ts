/** Row subsets of a frame (train/validation/test splits, samples), sharing dictionaries. */
import type { Column, Frame } from './frame.js';
import { FrameError } from './frame.js';

/** A new frame holding `rowIndices` of `frame`, in that order (indices may repeat). */
export function takeRows(frame: Frame, rowIndices: ArrayLike<number>): Frame {
  const count = rowIndices.length;
  for (let position = 0; position < count; position += 1) {
    const row = rowIndices[position];
    if (!Number.isInteger(row) || row < 0 || row >= frame.rowCount) {
      throw new FrameError(`row index ${row} is outside the frame's ${frame.rowCount} rows`);
    }
  }
  return { rowCount: count, columns: frame.columns.map((column) => takeColumnRows(column, rowIndices)) };
}

/** Rows `start` (inclusive) to `end` (exclusive), copied. */
export function sliceRows(frame: Frame, start: number, end: number): Frame {
  if (!(
    Number.isInteger(start) &&
    Number.isInteger(end) &&
    0 <= start &&
    start <= end &&
    end <= frame.rowCount
  )) {
    throw new FrameError(`row range [${start}, ${end}) is not within the frame's ${frame.rowCount} rows`);
  }
  const columns = frame.columns.map((column): Column => {
    if (column.kind === 'categorical') return { ...column, codes: column.codes.slice(start, end) };
    const missing = column.missing?.slice(start, end) ?? null;
    return {
      ...column,
      values: column.values.slice(start, end),
      missing: missing && missing.includes(1) ? missing : null,
    };
  });
  return { rowCount: end - start, columns };
}

function takeColumnRows(column: Column, rowIndices: ArrayLike<number>): Column {
  const count = rowIndices.length;
  if (column.kind === 'categorical') {
    const codes = new Int32Array(count);
    for (let position = 0; position < count; position += 1)
      codes[position] = column.codes[rowIndices[position]];
    return { ...column, codes };
  }
  const values = new Float64Array(count);
  let missing: Uint8Array | null = null;
  for (let position = 0; position < count; position += 1) {
    const row = rowIndices[position];
    values[position] = column.values[row];
    if (column.missing !== null && column.missing[row] === 1) {
      missing ??= new Uint8Array(count);
      missing[position] = 1;
    }
  }
  return { ...column, values, missing };
}
