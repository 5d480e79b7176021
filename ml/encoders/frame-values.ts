/**
 * Reading one feature from a frame column at prediction or training time, whatever kind the column
 * has in that frame (a scoring frame may type a column differently from the training frame).
 * Per-dictionary work is done once per column, then every row is a typed-array lookup.
 */
import { type Column, MISSING_CODE } from '../frame/frame.js';
import { cellText } from '../frame/cell-values.js';
import {
  buildCodeLookup,
  type CategoricalEncoderSpec,
  missingBucketCode,
  unknownCode,
} from './categorical.js';
import { numericFromRecordValue } from './record-values.js';

/** Raw numeric values of the column, NaN where missing or unreadable as a number. */
export function rawNumericValues(column: Column, isTimestamp: boolean): Float64Array {
  if (column.kind === 'numeric') return column.values;
  const valueOfCode = Float64Array.from(column.dictionary, (text) =>
    numericFromRecordValue(text, isTimestamp),
  );
  const values = new Float64Array(column.codes.length);
  for (let row = 0; row < values.length; row += 1) {
    const code = column.codes[row];
    values[row] = code === MISSING_CODE ? NaN : valueOfCode[code];
  }
  return values;
}

/** Encoder codes of every row (kept categories, other, unknown and missing buckets). */
export function encoderCodes(
  spec: CategoricalEncoderSpec,
  column: Column,
  lookup = buildCodeLookup(spec),
): Int32Array {
  const codes = new Int32Array(column.kind === 'numeric' ? column.values.length : column.codes.length);
  const unknown = unknownCode(spec);
  const missing = missingBucketCode(spec);
  if (column.kind === 'categorical') {
    const codeOfFrameCode = Int32Array.from(column.dictionary, (text) => lookup.get(text) ?? unknown);
    for (let row = 0; row < codes.length; row += 1) {
      const frameCode = column.codes[row];
      codes[row] = frameCode === MISSING_CODE ? missing : codeOfFrameCode[frameCode];
    }
    return codes;
  }
  // A numeric column feeding a categorical feature: compare by text, as training did.
  const kind = column.sourceType ?? 'number';
  const codeOfValue = new Map<number, number>();
  for (let row = 0; row < codes.length; row += 1) {
    const value = column.values[row];
    if (value !== value) {
      codes[row] = missing;
      continue;
    }
    let code = codeOfValue.get(value);
    if (code === undefined) {
      code = lookup.get(cellText(kind, value)) ?? unknown;
      codeOfValue.set(value, code);
    }
    codes[row] = code;
  }
  return codes;
}
