/**
 * Label encoding of classification targets: class labels as text, sorted (numerically for numeric
 * targets, false before true for booleans, by code unit for text), so the class order and every
 * per-class array of a model are the same for the same data whatever the row order.
 */
import { type Column, MISSING_CODE } from '../frame/frame.js';
import { TrainingInputError } from '../training.js';
import { compareText } from './categorical.js';

export type TargetType = 'number' | 'string' | 'boolean';

export interface LabelEncoding {
  readonly classes: readonly string[];
  readonly targetType: TargetType;
  /** Class index of every row. */
  readonly classIndex: Int32Array;
}

export function encodeLabels(column: Column): LabelEncoding {
  if (column.kind === 'categorical') return encodeTextLabels(column.name, column.codes, column.dictionary);
  const { values, name } = column;
  const distinct = new Set<number>();
  for (let row = 0; row < values.length; row += 1) {
    if (values[row] !== values[row]) throw missingTarget(name, row);
    distinct.add(values[row]);
  }
  const sortedValues = [...distinct].sort((a, b) => a - b);
  const targetType: TargetType = column.sourceType === 'boolean' ? 'boolean' : 'number';
  const classes = sortedValues.map((value) =>
    targetType === 'boolean' ? (value === 1 ? 'true' : 'false') : String(value),
  );
  const indexOfValue = new Map(sortedValues.map((value, index) => [value, index]));
  const classIndex = new Int32Array(values.length);
  for (let row = 0; row < values.length; row += 1) classIndex[row] = indexOfValue.get(values[row]) ?? 0;
  return { classes, targetType, classIndex };
}

function encodeTextLabels(name: string, codes: Int32Array, dictionary: readonly string[]): LabelEncoding {
  const used = new Uint8Array(dictionary.length);
  for (let row = 0; row < codes.length; row += 1) {
    if (codes[row] === MISSING_CODE) throw missingTarget(name, row);
    used[codes[row]] = 1;
  }
  const classes = [...new Set(dictionary.filter((_, code) => used[code] === 1))].sort(compareText);
  const indexOfText = new Map(classes.map((text, index) => [text, index]));
  const indexOfCode = Int32Array.from(dictionary, (text) => indexOfText.get(text) ?? -1);
  const classIndex = new Int32Array(codes.length);
  for (let row = 0; row < codes.length; row += 1) classIndex[row] = indexOfCode[codes[row]];
  return { classes, targetType: 'string', classIndex };
}

function missingTarget(name: string, row: number): TrainingInputError {
  return new TrainingInputError(
    `target ${JSON.stringify(name)} is missing in row ${row}; drop rows without a target before training ` +
      `(e.g. query: select * from data where ${JSON.stringify(name)} is not null)`,
  );
}
