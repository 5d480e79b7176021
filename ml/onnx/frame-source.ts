/** A frame's columns as feature values (rules in feature-source.ts), whatever kind each column has. */
import { cellText } from '../frame/cell-values.js';
import { type Frame, getColumn, MISSING_CODE } from '../frame/frame.js';
import { numericFromRecordValue } from '../encoders/record-values.js';
import { type FeatureSource, MISSING_TEXT, type NumberFiller, type TextFiller } from './feature-source.js';

export function frameFeatureSource(frame: Frame): FeatureSource {
  return {
    rowCount: frame.rowCount,
    numbers(feature: string, isTimestamp: boolean): NumberFiller {
      const column = getColumn(frame, feature);
      if (column.kind === 'numeric') {
        const { values } = column;
        return (start, end, target, offset, stride) => {
          for (let row = start, index = offset; row < end; row += 1, index += stride)
            target[index] = values[row];
        };
      }
      // A text column feeding a numeric input: each dictionary entry is read once, as serving reads it.
      const { codes } = column;
      const valueOfCode = Float64Array.from(column.dictionary, (text) =>
        numericFromRecordValue(text, isTimestamp),
      );
      return (start, end, target, offset, stride) => {
        for (let row = start, index = offset; row < end; row += 1, index += stride) {
          const code = codes[row];
          target[index] = code === MISSING_CODE ? NaN : valueOfCode[code];
        }
      };
    },
    texts(feature: string): TextFiller {
      const column = getColumn(frame, feature);
      if (column.kind === 'categorical') {
        const { codes, dictionary } = column;
        return (start, end, target) => {
          for (let row = start; row < end; row += 1) {
            const code = codes[row];
            target[row - start] = code === MISSING_CODE ? MISSING_TEXT : dictionary[code];
          }
        };
      }
      // A numeric column feeding a string input: the text the value would have in a text column.
      const { values } = column;
      const kind = column.sourceType ?? 'number';
      return (start, end, target) => {
        for (let row = start; row < end; row += 1) {
          const value = values[row];
          target[row - start] = value !== value ? MISSING_TEXT : cellText(kind, value);
        }
      };
    },
  };
}
