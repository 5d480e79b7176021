/** Building the reference profile from training columns (and, optionally, training predictions). */

import type { Column } from '../frame/frame.js';
import { buildCategoricalProfile } from './categorical-profile.js';
import { DriftInputError } from './errors.js';
import { buildNumericProfile } from './numeric-profile.js';
import {
  DEFAULT_PROFILE_SETTINGS,
  type FeatureProfile,
  type ProfileSettings,
  REFERENCE_PROFILE_FORMAT,
  type ReferenceProfile,
} from './profile-types.js';

export interface ReferenceProfileOptions {
  /** Training-time predictions: class labels (categorical) or scores/values (numeric). */
  readonly predictions?: Column;
  /** Profile only these columns (default: every column). */
  readonly features?: readonly string[];
  /** PSI bins per numeric feature (default 20). */
  readonly binCount?: number;
  /** CDF sketch resolution per numeric feature (default 200 quantile knots). */
  readonly sketchSize?: number;
  /** Categories kept by name per categorical feature (default 50); the rest count as "other". */
  readonly topCategoryCount?: number;
}

function checkSetting(name: keyof ProfileSettings, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new DriftInputError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

function resolveProfileSettings(options: ReferenceProfileOptions): ProfileSettings {
  return {
    binCount: checkSetting('binCount', options.binCount ?? DEFAULT_PROFILE_SETTINGS.binCount, 2, 100),
    sketchSize: checkSetting(
      'sketchSize',
      options.sketchSize ?? DEFAULT_PROFILE_SETTINGS.sketchSize,
      10,
      5000,
    ),
    topCategoryCount: checkSetting(
      'topCategoryCount',
      options.topCategoryCount ?? DEFAULT_PROFILE_SETTINGS.topCategoryCount,
      1,
      10_000,
    ),
  };
}

function profileColumn(column: Column, settings: ProfileSettings): FeatureProfile {
  return column.kind === 'numeric'
    ? buildNumericProfile(column, settings)
    : buildCategoricalProfile(column, settings);
}

export function columnLength(column: Column): number {
  return column.kind === 'numeric' ? column.values.length : column.codes.length;
}

/**
 * Summarize training data once, for drift monitoring against later windows. `frame` is anything
 * with columns (a Frame works). The result is JSON-serializable and small (see profile-types.ts).
 */
export function buildReferenceProfile(
  frame: { readonly columns: readonly Column[] },
  options: ReferenceProfileOptions = {},
): ReferenceProfile {
  const settings = resolveProfileSettings(options);
  const wanted = options.features ? new Set(options.features) : null;
  const columns = wanted ? frame.columns.filter((column) => wanted.has(column.name)) : [...frame.columns];
  if (wanted) {
    const missing = [...wanted].filter((name) => !columns.some((column) => column.name === name));
    if (missing.length > 0) {
      throw new DriftInputError(
        `features ${missing.map((name) => JSON.stringify(name)).join(', ')} are not in the frame`,
      );
    }
  }
  if (columns.length === 0)
    throw new DriftInputError('a reference profile needs at least one feature column');
  const names = new Set<string>();
  for (const column of columns) {
    if (names.has(column.name))
      throw new DriftInputError(`column ${JSON.stringify(column.name)} appears twice`);
    names.add(column.name);
  }
  const rowCount = columnLength(columns[0]);
  if (rowCount === 0)
    throw new DriftInputError('the training data has no rows; a reference profile needs some');
  for (const column of [...columns, ...(options.predictions ? [options.predictions] : [])]) {
    if (columnLength(column) !== rowCount) {
      throw new DriftInputError(
        `column ${JSON.stringify(column.name)} has ${columnLength(column)} rows, expected ${rowCount}`,
      );
    }
  }
  return {
    format: REFERENCE_PROFILE_FORMAT,
    rowCount,
    settings,
    features: columns.map((column) => profileColumn(column, settings)),
    prediction: options.predictions ? profileColumn(options.predictions, settings) : null,
  };
}
