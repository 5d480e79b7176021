import { describe, expect, it } from 'vitest';
import { type CategoricalColumn, getColumn, type NumericColumn } from '../../ml/frame/frame.js';
import { frameFromColumns, frameFromRows } from '../../ml/frame/index.js';
import {
  codeCount,
  fitCategoricalEncoder,
  missingBucketCode,
  otherCode,
  unknownCode,
} from '../../ml/encoders/categorical.js';
import { fitFeatureEncoders } from '../../ml/encoders/feature-set.js';
import { encoderCodes } from '../../ml/encoders/frame-values.js';
import { encodeLabels } from '../../ml/encoders/labels.js';
import { fitNumericEncoder, standardize } from '../../ml/encoders/numeric.js';
import { gradientBoostingFeatures } from '../../ml/model/gradient-boosting-input.js';
import { TrainingInputError } from '../../ml/training.js';

const numericColumn = (values: (number | null)[]) =>
  getColumn(frameFromColumns([{ name: 'x', values }]), 'x') as NumericColumn;
const textColumn = (values: (string | null)[], name = 'c') =>
  getColumn(frameFromColumns([{ name, values }]), name) as CategoricalColumn;

describe('numeric encoder', () => {
  it('imputes with the mean, then standardizes with the population deviation', () => {
    const spec = fitNumericEncoder(numericColumn([1, 2, null, 5]), 'mean');
    expect(spec.imputedValue).toBeCloseTo(8 / 3, 14);
    expect(spec.center).toBeCloseTo(8 / 3, 14);
    const imputed = [1, 2, 8 / 3, 5];
    const deviation = Math.sqrt(imputed.reduce((sum, value) => sum + (value - 8 / 3) ** 2, 0) / 4);
    expect(spec.scale).toBeCloseTo(deviation, 14);
    expect(spec.missingIndicator).toBe(true);
    expect(standardize(spec, NaN)).toBeCloseTo(0, 14);
  });

  it('imputes with the median when asked', () => {
    expect(fitNumericEncoder(numericColumn([1, 100, null, 3]), 'median').imputedValue).toBe(3);
    expect(fitNumericEncoder(numericColumn([1, 2, 3, 4]), 'median').imputedValue).toBe(2.5);
  });

  it('adds a missing indicator only where training had missing values', () => {
    expect(fitNumericEncoder(numericColumn([1, 2, 3]), 'mean').missingIndicator).toBe(false);
  });

  it('gives a constant column scale 1 and an all-missing column no indicator', () => {
    const constant = fitNumericEncoder(numericColumn([4, 4, 4]), 'mean');
    expect(constant.scale).toBe(1);
    expect(standardize(constant, 4)).toBe(0);
    const empty = fitNumericEncoder(numericColumn([null, null]), 'mean');
    expect(empty).toMatchObject({ imputedValue: 0, center: 0, scale: 1, missingIndicator: false });
  });
});

describe('categorical encoder', () => {
  const column = textColumn(['b', 'a', 'b', 'c', 'b', 'a', 'd', null]);

  it('orders categories by frequency, ties by text, and caps them with an "other" bucket', () => {
    const spec = fitCategoricalEncoder(column, { maxCategories: 2, minCategoryCount: 1 });
    expect(spec.categories).toEqual(['b', 'a']);
    expect(spec.otherCategories).toEqual(['c', 'd']);
    expect(codeCount(spec)).toBe(5);
    const rare = fitCategoricalEncoder(column, { maxCategories: 10, minCategoryCount: 2 });
    expect(rare.categories).toEqual(['b', 'a']);
  });

  it('codes other, unknown and missing values into their own buckets', () => {
    const spec = fitCategoricalEncoder(column, { maxCategories: 2, minCategoryCount: 1 });
    const scoring = textColumn(['a', 'c', 'never seen', null, 'b']);
    expect(Array.from(encoderCodes(spec, scoring))).toEqual([
      1,
      otherCode(spec),
      unknownCode(spec),
      missingBucketCode(spec),
      0,
    ]);
  });

  it('reads a numeric scoring column by its text', () => {
    const spec = fitCategoricalEncoder(textColumn(['1', '2', '2']), {
      maxCategories: 10,
      minCategoryCount: 1,
    });
    expect(Array.from(encoderCodes(spec, numericColumn([2, 1, 7, null])))).toEqual([
      0,
      1,
      unknownCode(spec),
      missingBucketCode(spec),
    ]);
  });

  it('is plain JSON: it survives serialization unchanged', () => {
    const spec = fitCategoricalEncoder(column, { maxCategories: 2, minCategoryCount: 1 });
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
  });

  it('gives gradient boosting at most 255 codes and -1 for missing values', () => {
    const values = Array.from({ length: 1000 }, (_, index) =>
      index % 7 === 0 ? null : `airport ${index % 400}`,
    );
    const frame = frameFromColumns([{ name: 'origin', values }]);
    const encoders = fitFeatureEncoders(frame, ['origin']);
    const [feature] = gradientBoostingFeatures(frame, encoders, new Set());
    if (feature.kind !== 'categorical') throw new Error('expected a categorical feature');
    expect(feature.cardinality).toBeLessThanOrEqual(255);
    expect(Math.max(...feature.codes)).toBeLessThan(feature.cardinality);
    expect(feature.codes[0]).toBe(-1);
  });
});

describe('label encoding', () => {
  it('sorts text labels by code unit, whatever order the rows come in', () => {
    const labels = encodeLabels(textColumn(['b', 'a', 'C', 'b'], 'y'));
    expect(labels.classes).toEqual(['C', 'a', 'b']);
    expect(Array.from(labels.classIndex)).toEqual([2, 1, 0, 2]);
  });

  it('sorts numeric labels numerically and booleans false before true', () => {
    expect(encodeLabels(numericColumn([10, 9, 10])).classes).toEqual(['9', '10']);
    const flags = getColumn(frameFromRows([{ f: true }, { f: false }]), 'f');
    const labels = encodeLabels(flags);
    expect(labels).toMatchObject({ classes: ['false', 'true'], targetType: 'boolean' });
    expect(Array.from(labels.classIndex)).toEqual([1, 0]);
  });

  it('refuses a missing target with a TrainingInputError saying how to fix it', () => {
    expect(() => encodeLabels(textColumn(['a', null], 'y'))).toThrow(TrainingInputError);
    expect(() => encodeLabels(textColumn(['a', null], 'y'))).toThrow(/missing in row 1.*is not null/);
  });
});
