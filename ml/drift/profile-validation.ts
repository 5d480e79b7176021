/**
 * Strict checks for a reference profile read back from storage. Every array the accumulator
 * indexes is checked for length, order and finiteness, so a damaged or hand-edited profile fails
 * here with the path of the bad value instead of producing NaN drift numbers later.
 */

import { DriftInputError } from './errors.js';
import { numericBinLayout } from './numeric-bins.js';
import {
  type CategoricalFeatureProfile,
  type FeatureProfile,
  type NumericFeatureProfile,
  REFERENCE_PROFILE_FORMAT,
  type ReferenceProfile,
} from './profile-types.js';

type Record_ = Record<string, unknown>;

function fail(path: string, problem: string): never {
  throw new DriftInputError(`invalid reference profile at ${path}: ${problem}`);
}

function objectAt(value: unknown, path: string): Record_ {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'expected an object');
  return value as Record_;
}

function countAt(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    fail(path, 'expected an integer >= 0');
  return value;
}

function finiteAt(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, 'expected a finite number');
  return value;
}

function arrayAt<T>(
  value: unknown,
  path: string,
  length: number | null,
  item: (entry: unknown, at: string) => T,
): T[] {
  if (!Array.isArray(value)) fail(path, 'expected an array');
  if (length !== null && value.length !== length)
    fail(path, `expected ${length} entries, found ${value.length}`);
  return value.map((entry, index) => item(entry, `${path}[${index}]`));
}

function increasingAt(values: number[], path: string): void {
  for (let index = 1; index < values.length; index += 1) {
    if (!(values[index] > values[index - 1])) fail(`${path}[${index}]`, 'values must be strictly increasing');
  }
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function numericFeature(raw: Record_, path: string, name: string): NumericFeatureProfile {
  const count = countAt(raw.count, `${path}.count`);
  const missingCount = countAt(raw.missingCount, `${path}.missingCount`);
  const summary = (key: string) => (count === 0 ? null : finiteAt(raw[key], `${path}.${key}`));
  const sketchRaw = objectAt(raw.sketch, `${path}.sketch`);
  const knots = arrayAt(sketchRaw.knots, `${path}.sketch.knots`, null, finiteAt);
  increasingAt(knots, `${path}.sketch.knots`);
  const gapLength = Math.max(knots.length - 1, 0);
  const sketch = {
    knots,
    knotCounts: arrayAt(sketchRaw.knotCounts, `${path}.sketch.knotCounts`, knots.length, countAt),
    gapCounts: arrayAt(sketchRaw.gapCounts, `${path}.sketch.gapCounts`, gapLength, countAt),
    gapMeans: arrayAt(sketchRaw.gapMeans, `${path}.sketch.gapMeans`, gapLength, finiteAt),
    gapMeanAbsoluteDeviations: arrayAt(
      sketchRaw.gapMeanAbsoluteDeviations,
      `${path}.sketch.gapMeanAbsoluteDeviations`,
      gapLength,
      (entry, at) => (finiteAt(entry, at) >= 0 ? (entry as number) : fail(at, 'expected a number >= 0')),
    ),
  };
  if (sum(sketch.knotCounts) + sum(sketch.gapCounts) !== count)
    fail(`${path}.sketch`, `counts do not add up to ${count}`);
  if ((count === 0) !== (knots.length === 0))
    fail(`${path}.sketch.knots`, 'knots exist exactly when values do');
  const binEdges = arrayAt(raw.binEdges, `${path}.binEdges`, null, finiteAt);
  increasingAt(binEdges, `${path}.binEdges`);
  const knotSet = new Set(knots);
  binEdges.forEach(
    (edge, index) => knotSet.has(edge) || fail(`${path}.binEdges[${index}]`, 'every edge must be a knot'),
  );
  const layout = numericBinLayout(knots, binEdges);
  const binCounts = arrayAt(raw.binCounts, `${path}.binCounts`, layout.binCount, countAt);
  if (sum(binCounts) !== count) fail(`${path}.binCounts`, `counts do not add up to ${count}`);
  const standardDeviation = summary('standardDeviation');
  if (standardDeviation !== null && standardDeviation < 0) fail(`${path}.standardDeviation`, 'must be >= 0');
  return {
    kind: 'numeric',
    name,
    count,
    missingCount,
    mean: summary('mean'),
    standardDeviation,
    min: summary('min'),
    max: summary('max'),
    binEdges,
    binCounts,
    sketch,
  };
}

function categoricalFeature(raw: Record_, path: string, name: string): CategoricalFeatureProfile {
  const count = countAt(raw.count, `${path}.count`);
  const categories = arrayAt(raw.categories, `${path}.categories`, null, (entry, at) =>
    typeof entry === 'string' ? entry : fail(at, 'expected a string'),
  );
  if (new Set(categories).size !== categories.length)
    fail(`${path}.categories`, 'categories must be distinct');
  const categoryCounts = arrayAt(raw.categoryCounts, `${path}.categoryCounts`, categories.length, countAt);
  const otherCount = countAt(raw.otherCount, `${path}.otherCount`);
  if (sum(categoryCounts) + otherCount !== count) fail(path, `category counts do not add up to ${count}`);
  return {
    kind: 'categorical',
    name,
    count,
    missingCount: countAt(raw.missingCount, `${path}.missingCount`),
    categories,
    categoryCounts,
    otherCount,
    distinctCount: countAt(raw.distinctCount, `${path}.distinctCount`),
  };
}

function featureAt(value: unknown, path: string, rowCount: number): FeatureProfile {
  const raw = objectAt(value, path);
  if (typeof raw.name !== 'string') fail(`${path}.name`, 'expected a string');
  let feature: FeatureProfile;
  if (raw.kind === 'numeric') feature = numericFeature(raw, path, raw.name);
  else if (raw.kind === 'categorical') feature = categoricalFeature(raw, path, raw.name);
  else fail(`${path}.kind`, 'expected "numeric" or "categorical"');
  if (feature.count + feature.missingCount !== rowCount) {
    fail(path, `count + missingCount must equal the profile's rowCount ${rowCount}`);
  }
  return feature;
}

/** Validates an untrusted value (e.g. parsed JSON) and returns it as a ReferenceProfile. */
export function parseReferenceProfile(value: unknown): ReferenceProfile {
  const raw = objectAt(value, '$');
  if (raw.format !== REFERENCE_PROFILE_FORMAT) {
    fail(
      '$.format',
      `expected ${JSON.stringify(REFERENCE_PROFILE_FORMAT)}, found ${JSON.stringify(raw.format)}`,
    );
  }
  const rowCount = countAt(raw.rowCount, '$.rowCount');
  if (rowCount === 0) fail('$.rowCount', 'a profile summarizes at least one row');
  const settingsRaw = objectAt(raw.settings, '$.settings');
  const settings = {
    binCount: countAt(settingsRaw.binCount, '$.settings.binCount'),
    sketchSize: countAt(settingsRaw.sketchSize, '$.settings.sketchSize'),
    topCategoryCount: countAt(settingsRaw.topCategoryCount, '$.settings.topCategoryCount'),
  };
  const features = arrayAt(raw.features, '$.features', null, (entry, at) => featureAt(entry, at, rowCount));
  if (features.length === 0) fail('$.features', 'a profile needs at least one feature');
  const names = new Set(features.map((feature) => feature.name));
  if (names.size !== features.length) fail('$.features', 'feature names must be distinct');
  const prediction = raw.prediction === null ? null : featureAt(raw.prediction, '$.prediction', rowCount);
  return { format: REFERENCE_PROFILE_FORMAT, rowCount, settings, features, prediction };
}
