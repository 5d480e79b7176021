/**
 * Streaming comparison of a window against a reference profile. Batches of columns (or row
 * objects) go in; memory stays at the size of the profile however many rows pass, so a million
 * rows or a billion cost the same. `finish()` can be called at any time, as often as wanted; it
 * does not reset the window.
 */

import type { Column } from '../frame/frame.js';
import { compareCategoricalFeature } from './categorical-comparison.js';
import { CategoricalWindow } from './categorical-window.js';
import { DriftInputError } from './errors.js';
import { compareNumericFeature } from './numeric-comparison.js';
import { NumericWindow } from './numeric-window.js';
import { columnLength } from './profile.js';
import type { FeatureProfile, ReferenceProfile } from './profile-types.js';
import { parseReferenceProfile } from './profile-validation.js';
import { DRIFT_REPORT_FORMAT, type DriftReport, type FeatureDrift } from './report-types.js';
import { type DriftThresholds, resolveThresholds } from './thresholds.js';

/** Below this many rows, PSI and Jensen–Shannon on 20 bins are noticeably biased upward. */
const SMALL_WINDOW_ROWS = 1000;

export interface DriftAccumulator {
  /** Rows added so far. */
  readonly rowCount: number;
  /** A batch of columns matched to profiled features by name; other columns are ignored. */
  addColumns(batch: { readonly columns: readonly Column[] }, predictions?: Column): void;
  /** Row objects keyed by column name; an absent key or null is a missing value. */
  addRows(rows: readonly Record<string, unknown>[], predictions?: readonly unknown[]): void;
  finish(): DriftReport;
}

type FeatureWindow = NumericWindow | CategoricalWindow;

function windowFor(profile: FeatureProfile): FeatureWindow {
  return profile.kind === 'numeric' ? new NumericWindow(profile) : new CategoricalWindow(profile);
}

function addColumn(window: FeatureWindow, column: Column, rowCount: number): void {
  const length = columnLength(column);
  if (length !== rowCount) {
    throw new DriftInputError(
      `column ${JSON.stringify(column.name)} has ${length} rows, expected ${rowCount}`,
    );
  }
  if (window instanceof NumericWindow) {
    if (column.kind !== 'numeric') {
      throw new DriftInputError(
        `column ${JSON.stringify(column.name)} is categorical but was numeric in training`,
      );
    }
    window.addValues(column.values, column.missing);
  } else {
    if (column.kind !== 'categorical') {
      throw new DriftInputError(
        `column ${JSON.stringify(column.name)} is numeric but was categorical in training`,
      );
    }
    window.addCodes(column.codes, column.dictionary);
  }
}

function addRowValues(window: FeatureWindow, values: readonly unknown[]): void {
  if (window instanceof CategoricalWindow) {
    for (const value of values) window.addValue(value);
    return;
  }
  const numbers = new Float64Array(values.length);
  values.forEach((value, row) => {
    if (value === null || value === undefined) numbers[row] = Number.NaN;
    else if (typeof value === 'number') numbers[row] = value;
    else {
      throw new DriftInputError(
        `column ${JSON.stringify(window.profile.name)} got ${JSON.stringify(value)} in row ${row}; expected a number or null`,
      );
    }
  });
  window.addValues(numbers, null);
}

function compare(window: FeatureWindow, thresholds: DriftThresholds): FeatureDrift {
  return window instanceof NumericWindow
    ? compareNumericFeature(window.profile, window, thresholds)
    : compareCategoricalFeature(window.profile, window, thresholds);
}

export function createDriftAccumulator(
  profileInput: ReferenceProfile,
  options: { thresholds?: Partial<DriftThresholds> } = {},
): DriftAccumulator {
  // Profiles usually come back from storage as JSON: check them before trusting their arrays.
  const profile = parseReferenceProfile(profileInput);
  const thresholds = resolveThresholds(options.thresholds);
  const windows = profile.features.map(windowFor);
  const predictionWindow = profile.prediction ? windowFor(profile.prediction) : null;
  let rowCount = 0;
  let predictionRowCount = 0;

  function addPredictions(values: Column | readonly unknown[], batchRows: number): void {
    if (!predictionWindow) {
      throw new DriftInputError(
        'predictions were given but the reference profile has no prediction distribution',
      );
    }
    if (Array.isArray(values)) {
      if (values.length !== batchRows) {
        throw new DriftInputError(`got ${values.length} predictions for ${batchRows} rows`);
      }
      addRowValues(predictionWindow, values);
    } else addColumn(predictionWindow, values as Column, batchRows);
    predictionRowCount += batchRows;
  }

  return {
    get rowCount() {
      return rowCount;
    },
    addColumns(batch, predictions) {
      const byName = new Map(batch.columns.map((column) => [column.name, column]));
      const absent = profile.features
        .filter((feature) => !byName.has(feature.name))
        .map((feature) => feature.name);
      if (absent.length > 0) {
        throw new DriftInputError(
          `the batch lacks profiled features ${absent.map((name) => JSON.stringify(name)).join(', ')}; ` +
            'pass every feature (an all-missing column is fine)',
        );
      }
      const first = byName.get(profile.features[0].name)!;
      const batchRows = columnLength(first);
      profile.features.forEach((feature, index) =>
        addColumn(windows[index], byName.get(feature.name)!, batchRows),
      );
      if (predictions) addPredictions(predictions, batchRows);
      rowCount += batchRows;
    },
    addRows(rows, predictions) {
      profile.features.forEach((feature, index) =>
        addRowValues(
          windows[index],
          rows.map((row) => row[feature.name]),
        ),
      );
      if (predictions) addPredictions(predictions, rows.length);
      rowCount += rows.length;
    },
    finish() {
      if (rowCount === 0) {
        throw new DriftInputError(
          'the window is empty: add at least one row before asking for a drift report',
        );
      }
      const features = windows.map((window) => compare(window, thresholds));
      const drifted = features.filter((feature) => feature.drifted).map((feature) => feature.name);
      const driftedShare = drifted.length / features.length;
      const warnings: string[] = [];
      if (rowCount < SMALL_WINDOW_ROWS) {
        warnings.push(
          `the window has only ${rowCount} rows; PSI and Jensen–Shannon read noise as drift below about ${SMALL_WINDOW_ROWS}`,
        );
      }
      if (predictionWindow && predictionRowCount > 0 && predictionRowCount !== rowCount) {
        warnings.push(`predictions were given for ${predictionRowCount} of ${rowCount} rows`);
      }
      return {
        format: DRIFT_REPORT_FORMAT,
        referenceRowCount: profile.rowCount,
        windowRowCount: rowCount,
        thresholds,
        features,
        prediction: predictionWindow && predictionRowCount > 0 ? compare(predictionWindow, thresholds) : null,
        verdict: {
          drifted: driftedShare >= thresholds.datasetDriftShare,
          driftedFeatureCount: drifted.length,
          featureCount: features.length,
          driftedShare,
          threshold: thresholds.datasetDriftShare,
          driftedFeatures: drifted,
        },
        warnings,
      };
    },
  };
}
