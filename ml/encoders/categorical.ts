/**
 * Categorical features as integer codes, with a frequency cap and explicit buckets.
 *
 * Codes: 0..K-1 are the K kept categories (most frequent first, ties by text), then three buckets:
 * - other (K): values seen in training but dropped by the cap (`maxCategories`, `minCategoryCount`);
 * - unknown (K+1): values never seen in training, so prediction never fails on a new value;
 * - missing (K+2): null, undefined or ''.
 * Linear models learn one weight per code; the unknown bucket has no training rows, so its weight
 * stays 0 (no effect). Gradient boosting gets the codes with missing as -1 and cardinality K+2.
 */
import { type CategoricalColumn, MISSING_CODE } from '../frame/frame.js';

export interface CategoricalEncoderSpec {
  readonly kind: 'categorical';
  readonly name: string;
  /** Kept categories; a category's code is its index. */
  readonly categories: readonly string[];
  /** Categories seen in training but folded into the other bucket, sorted by text. */
  readonly otherCategories: readonly string[];
}

export interface CategoricalCapOptions {
  /** At most this many categories keep their own code. */
  readonly maxCategories: number;
  /** Categories seen in fewer training rows go to the other bucket. */
  readonly minCategoryCount: number;
}

export const BUCKETS_AFTER_CATEGORIES = 3;

export function otherCode(spec: CategoricalEncoderSpec): number {
  return spec.categories.length;
}
export function unknownCode(spec: CategoricalEncoderSpec): number {
  return spec.categories.length + 1;
}
export function missingBucketCode(spec: CategoricalEncoderSpec): number {
  return spec.categories.length + 2;
}
/** Number of codes, buckets included: the number of weights a linear model holds for the feature. */
export function codeCount(spec: CategoricalEncoderSpec): number {
  return spec.categories.length + BUCKETS_AFTER_CATEGORIES;
}

export function fitCategoricalEncoder(
  column: CategoricalColumn,
  cap: CategoricalCapOptions,
): CategoricalEncoderSpec {
  const counts = new Float64Array(column.dictionary.length);
  for (let row = 0; row < column.codes.length; row += 1) {
    const code = column.codes[row];
    if (code !== MISSING_CODE) counts[code] += 1;
  }
  // A frame's dictionary may hold the same text twice (e.g. after concatenation): merge by text.
  const countByText = new Map<string, number>();
  column.dictionary.forEach((text, code) => {
    if (counts[code] > 0) countByText.set(text, (countByText.get(text) ?? 0) + counts[code]);
  });
  const ranked = [...countByText.entries()].sort(
    ([textA, countA], [textB, countB]) => countB - countA || compareText(textA, textB),
  );
  const categories: string[] = [];
  const otherCategories: string[] = [];
  for (const [text, count] of ranked) {
    if (categories.length < cap.maxCategories && count >= cap.minCategoryCount) categories.push(text);
    else otherCategories.push(text);
  }
  otherCategories.sort(compareText);
  return { kind: 'categorical', name: column.name, categories, otherCategories };
}

/** Code-unit order: the same on every machine and locale (unlike localeCompare). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Lookup from text to code for prediction: kept categories and the other bucket. */
export function buildCodeLookup(spec: CategoricalEncoderSpec): Map<string, number> {
  const lookup = new Map<string, number>();
  spec.categories.forEach((text, code) => lookup.set(text, code));
  const other = otherCode(spec);
  for (const text of spec.otherCategories) lookup.set(text, other);
  return lookup;
}
