/**
 * Serving's JSON records as feature values (rules in feature-source.ts): each value is read by
 * ml/encoders/record-values.ts, as the built-in models read it. An absent key, null or "" is
 * missing; a value that has no text or number (an object, an array) is taken as missing too.
 */
import { numericFromRecordValue, textFromRecordValue } from '../encoders/record-values.js';
import { type FeatureSource, MISSING_TEXT, type NumberFiller, type TextFiller } from './feature-source.js';

export type FeatureRecord = Readonly<Record<string, unknown>>;

export function recordFeatureSource(records: readonly FeatureRecord[]): FeatureSource {
  for (const record of records) {
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw new TypeError('a record to predict must be an object of feature name to value');
    }
  }
  return {
    rowCount: records.length,
    numbers(feature: string, isTimestamp: boolean): NumberFiller {
      return (start, end, target, offset, stride) => {
        for (let row = start, index = offset; row < end; row += 1, index += stride) {
          target[index] = numericFromRecordValue(ownValue(records[row], feature), isTimestamp);
        }
      };
    },
    texts(feature: string): TextFiller {
      return (start, end, target) => {
        for (let row = start; row < end; row += 1) {
          target[row - start] = textFromRecordValue(ownValue(records[row], feature)) ?? MISSING_TEXT;
        }
      };
    },
  };
}

/** Own properties only: a feature named "constructor" must not read Object.prototype's. */
function ownValue(record: FeatureRecord, feature: string): unknown {
  return Object.hasOwn(record, feature) ? record[feature] : undefined;
}
