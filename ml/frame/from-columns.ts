/** Frames from column arrays: plain arrays of cell values or numeric typed arrays. */
import { type Column, type Frame, FrameError } from './frame.js';
import { assertUniqueNames, ColumnAccumulator } from './column-accumulator.js';
import { checkTypeRequests, type FrameBuildOptions, typeRequestFor } from './options.js';

type NumericTypedArray =
  | Float64Array
  | Float32Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint32Array
  | Uint16Array
  | Uint8Array
  | Uint8ClampedArray;

export interface NamedColumnValues {
  readonly name: string;
  readonly values: ArrayLike<unknown>;
}

/**
 * Builds a frame from named columns. Pass an array of `{ name, values }` to keep the column order
 * exactly (an object's integer-like keys, such as "2024", would be enumerated first).
 * Numeric typed arrays become numeric columns directly (NaN and ±Infinity are missing).
 */
export function frameFromColumns(
  columns: readonly NamedColumnValues[] | Readonly<Record<string, ArrayLike<unknown>>>,
  options: FrameBuildOptions = {},
): Frame {
  const named: readonly NamedColumnValues[] = Array.isArray(columns)
    ? columns
    : Object.entries(columns).map(([name, values]) => ({ name, values }));
  const names = named.map((column) => column.name);
  assertUniqueNames(names);
  checkTypeRequests(options, names);
  const rowCount = named.length === 0 ? 0 : named[0].values.length;
  const built = named.map(({ name, values }) => {
    if (values.length !== rowCount) {
      throw new FrameError(
        `column ${JSON.stringify(name)} has ${values.length} values but ${JSON.stringify(names[0])} has ${rowCount}; ` +
          'every column needs one value per row',
      );
    }
    const request = typeRequestFor(options, name);
    if (isNumericTypedArray(values) && request !== 'categorical') return numericFromTypedArray(name, values);
    const accumulator = new ColumnAccumulator(name, request, rowCount);
    for (let row = 0; row < rowCount; row += 1) accumulator.push(values[row]);
    return accumulator.finish();
  });
  return { rowCount, columns: built };
}

function numericFromTypedArray(name: string, source: NumericTypedArray): Column {
  const values = Float64Array.from(source);
  let missing: Uint8Array | null = null;
  for (let row = 0; row < values.length; row += 1) {
    if (!Number.isFinite(values[row])) {
      missing ??= new Uint8Array(values.length);
      missing[row] = 1;
      values[row] = NaN;
    }
  }
  return { kind: 'numeric', name, values, missing };
}

/** BigInt64Array is not among them: its bigint cells go through the general reader. */
function isNumericTypedArray(source: ArrayLike<unknown>): source is NumericTypedArray {
  return (
    source instanceof Float64Array ||
    source instanceof Float32Array ||
    source instanceof Int32Array ||
    source instanceof Int16Array ||
    source instanceof Int8Array ||
    source instanceof Uint32Array ||
    source instanceof Uint16Array ||
    source instanceof Uint8Array ||
    source instanceof Uint8ClampedArray
  );
}
