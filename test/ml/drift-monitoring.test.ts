import { describe, expect, it } from 'vitest';
import {
  buildReferenceProfile,
  createDriftAccumulator,
  DriftInputError,
  type DriftReport,
  type FeatureDrift,
  kolmogorovSmirnovTwoSample,
  parseReferenceProfile,
  type ReferenceProfile,
  wassersteinDistance,
} from '../../ml/drift/index.js';
import type { Column } from '../../ml/frame/frame.js';
import { categoricalColumn, normalColumn, numericColumn, seededRandom } from './drift-synthetic-data.js';

const random = seededRandom(20240611);
const trainingIncome = normalColumn('Income (k$)', 40_000, random, 50, 12);
const trainingCity = categoricalColumn(
  'City',
  40_000,
  random,
  ['Lyon', 'Paris', 'Nice', 'Brest'],
  [3, 5, 1, 1],
);
const profile = buildReferenceProfile({ columns: [trainingIncome, trainingCity] });

function reportFor(referenceProfile: ReferenceProfile, columns: Column[], thresholds = {}): DriftReport {
  const accumulator = createDriftAccumulator(referenceProfile, { thresholds });
  accumulator.addColumns({ columns });
  return accumulator.finish();
}

function feature(report: DriftReport, name: string): FeatureDrift {
  return report.features.find((entry) => entry.name === name)!;
}

describe('reference profile', () => {
  it('is small JSON: at most 20 PSI bins and a few kilobytes per feature', () => {
    const income = profile.features[0];
    expect(income.kind).toBe('numeric');
    if (income.kind !== 'numeric') return;
    expect(income.binCounts.length).toBeLessThanOrEqual(20);
    expect(income.binCounts.reduce((sum, count) => sum + count, 0)).toBe(40_000);
    expect(JSON.stringify(profile).length).toBeLessThan(20_000);
    expect(parseReferenceProfile(JSON.parse(JSON.stringify(profile)))).toEqual(profile);
  });

  it('rejects a damaged profile with the path of the bad value', () => {
    const damaged = JSON.parse(JSON.stringify(profile)) as { features: { sketch: { knots: number[] } }[] };
    damaged.features[0].sketch.knots.reverse();
    expect(() => parseReferenceProfile(damaged)).toThrow(/\$\.features\[0\]\.sketch\.knots\[1\]/);
    expect(() => createDriftAccumulator({ ...profile, format: 'v0' } as unknown as ReferenceProfile)).toThrow(
      DriftInputError,
    );
  });
});

describe('drift of a window against the reference', () => {
  it('flags a feature scaled by 1.6 as significant (PSI > 0.25) and leaves the unchanged one alone', () => {
    const window = normalColumn('Income (k$)', 20_000, random, 50, 12);
    const shifted = numericColumn(
      'Income (k$)',
      window.values.map((value) => value * 1.6),
    );
    const city = categoricalColumn('City', 20_000, random, ['Lyon', 'Paris', 'Nice', 'Brest'], [3, 5, 1, 1]);
    const report = reportFor(profile, [shifted, city]);
    const income = feature(report, 'Income (k$)');
    expect(income.populationStabilityIndex).toBeGreaterThan(0.25);
    expect(income).toMatchObject({ severity: 'significant', drifted: true });
    expect(feature(report, 'City').drifted).toBe(false);
    expect(report.verdict).toMatchObject({
      drifted: true,
      driftedFeatureCount: 1,
      featureCount: 2,
      driftedShare: 0.5,
    });
  });

  it('does not flag a fresh sample from the training distribution', () => {
    const report = reportFor(profile, [
      normalColumn('Income (k$)', 20_000, random, 50, 12),
      categoricalColumn('City', 20_000, random, ['Lyon', 'Paris', 'Nice', 'Brest'], [3, 5, 1, 1]),
    ]);
    for (const entry of report.features) {
      expect(entry.populationStabilityIndex).toBeLessThan(0.1);
      expect(entry.jensenShannonDistance).toBeLessThan(0.1);
      expect(entry).toMatchObject({ drifted: false, severity: 'none', reasons: [] });
    }
    expect(feature(report, 'Income (k$)').wasserstein!.normalized!).toBeLessThan(0.1);
    expect(report.verdict).toMatchObject({ drifted: false, driftedFeatureCount: 0, driftedShare: 0 });
  });

  it('computes KS and Wasserstein from the sketch within the bounds it reports', () => {
    const window = normalColumn('Income (k$)', trainingCity.codes.length, random, 51, 12);
    const income = feature(reportFor(profile, [window, trainingCity]), 'Income (k$)');
    const exactKs = kolmogorovSmirnovTwoSample(trainingIncome.values, window.values);
    const ks = income.kolmogorovSmirnov!;
    expect(ks.statistic).toBeLessThanOrEqual(exactKs.statistic + 1e-12);
    expect(ks.statisticUpperBound).toBeGreaterThanOrEqual(exactKs.statistic - 1e-12);
    expect(ks.statisticUpperBound - ks.statistic).toBeLessThanOrEqual(1 / 200 + 1e-12);
    const exactWasserstein = wassersteinDistance(trainingIncome.values, window.values);
    const wasserstein = income.wasserstein!;
    expect(Math.abs(wasserstein.distance - exactWasserstein)).toBeLessThanOrEqual(wasserstein.errorBound);
    expect(wasserstein.normalized).toBeCloseTo(wasserstein.distance / 12, 1);
  });

  it('is exact against scipy-equivalent KS and Wasserstein when every training value is a knot', () => {
    const integers = (size: number, shift: number) =>
      numericColumn(
        'Hour',
        Float64Array.from({ length: size }, () => Math.floor(random() * 24 + shift) % 24),
      );
    const training = integers(5000, 0);
    const window = integers(3000, 2.5);
    const hourProfile = buildReferenceProfile({ columns: [training] });
    const hour = feature(reportFor(hourProfile, [window]), 'Hour');
    const exactKs = kolmogorovSmirnovTwoSample(training.values, window.values);
    expect(hour.kolmogorovSmirnov!.statistic).toBe(exactKs.statistic);
    expect(hour.kolmogorovSmirnov!.statisticUpperBound).toBe(exactKs.statistic);
    expect(hour.kolmogorovSmirnov!.pValue).toBeCloseTo(exactKs.pValue, 12);
    expect(hour.kolmogorovSmirnov!.method).toBe('exact');
    expect(hour.wasserstein!.distance).toBeCloseTo(wassersteinDistance(training.values, window.values), 12);
    expect(hour.wasserstein!.errorBound).toBe(0);
  });

  it('counts unseen categories as "(other)" and tracks the missing share separately', () => {
    const codes = Int32Array.from({ length: 4000 }, (_, row) => (row % 10 === 0 ? -1 : row % 4));
    const city: Column = {
      kind: 'categorical',
      name: 'City',
      codes,
      dictionary: ['Paris', 'Lyon', 'Tokyo', 'Nice'],
    };
    const report = reportFor(profile, [normalColumn('Income (k$)', 4000, random, 50, 12), city]);
    const drift = feature(report, 'City');
    const other = drift.bins.find((bin) => bin.label === '(other)')!;
    expect(other.referenceShare).toBe(0);
    // Every fourth row is Tokyo, except those already missing (row % 10 === 0).
    expect(other.windowShare).toBe(800 / 4000);
    expect(drift.windowMissingShare).toBe(0.1);
    expect(drift.referenceMissingShare).toBe(0);
    expect(drift.chiSquare!.pValue).toBeLessThan(1e-10);
    expect(drift.severity).toBe('significant');
  });

  it('gives the same report from row objects as from columns', () => {
    const income = normalColumn('Income (k$)', 3000, random, 52, 12);
    const city = categoricalColumn('City', 3000, random, ['Lyon', 'Paris', 'Nice', 'Brest'], [1, 1, 1, 1]);
    const rows = Array.from({ length: 3000 }, (_, row) => ({
      'Income (k$)': income.values[row],
      City: city.dictionary[city.codes[row]],
    }));
    const fromRows = createDriftAccumulator(profile);
    fromRows.addRows(rows.slice(0, 1000));
    fromRows.addRows(rows.slice(1000));
    expect(fromRows.finish()).toEqual(reportFor(profile, [income, city]));
  });

  it('reports prediction drift separately from the feature verdict', () => {
    const trainingScores = normalColumn('score', 40_000, random, 0.3, 0.1);
    const withPredictions = buildReferenceProfile(
      { columns: [trainingIncome, trainingCity] },
      { predictions: trainingScores },
    );
    const accumulator = createDriftAccumulator(withPredictions);
    accumulator.addColumns(
      {
        columns: [
          normalColumn('Income (k$)', 5000, random, 50, 12),
          categoricalColumn('City', 5000, random, ['Lyon', 'Paris', 'Nice', 'Brest'], [3, 5, 1, 1]),
        ],
      },
      normalColumn('score', 5000, random, 0.5, 0.1),
    );
    const report = accumulator.finish();
    expect(report.prediction).toMatchObject({ name: 'score', severity: 'significant' });
    expect(report.verdict.drifted).toBe(false);
  });

  it('uses configurable thresholds and rejects inconsistent ones', () => {
    const window = normalColumn('Income (k$)', trainingCity.codes.length, random, 50 + 0.15 * 12, 12);
    const columns = [window, trainingCity];
    expect(feature(reportFor(profile, columns), 'Income (k$)').drifted).toBe(true);
    const lenient = reportFor(profile, columns, {
      psiModerate: 0.5,
      psiSignificant: 1,
      jensenShannon: 0.5,
      wasserstein: 0.5,
    });
    expect(feature(lenient, 'Income (k$)').drifted).toBe(false);
    expect(() =>
      createDriftAccumulator(profile, { thresholds: { psiModerate: 0.3, psiSignificant: 0.2 } }),
    ).toThrow(/psiModerate/);
  });
});

describe('drift edge cases', () => {
  it('handles a constant training feature: no drift for the same constant, significant drift for another', () => {
    const constantProfile = buildReferenceProfile({
      columns: [numericColumn('Flag', new Float64Array(1000).fill(3))],
    });
    const same = feature(
      reportFor(constantProfile, [numericColumn('Flag', new Float64Array(500).fill(3))]),
      'Flag',
    );
    expect(same).toMatchObject({ populationStabilityIndex: 0, drifted: false });
    expect(same.wasserstein!.normalized).toBe(0);
    const moved = feature(
      reportFor(constantProfile, [numericColumn('Flag', new Float64Array(500).fill(2))]),
      'Flag',
    );
    expect(moved.severity).toBe('significant');
    expect(moved.wasserstein).toMatchObject({ distance: 1, normalized: null });
    expect(moved.unavailable.join(' ')).toMatch(/constant/);
    expect(moved.kolmogorovSmirnov!.statistic).toBe(1);
  });

  it('handles an all-missing window: PSI sees the missing share, KS and Wasserstein say why they are absent', () => {
    const missing = new Uint8Array(2000).fill(1);
    const report = reportFor(profile, [
      numericColumn('Income (k$)', new Float64Array(2000).fill(Number.NaN), missing),
      categoricalColumn('City', 2000, random, ['Lyon', 'Paris', 'Nice', 'Brest'], [3, 5, 1, 1]),
    ]);
    const income = feature(report, 'Income (k$)');
    expect(income.windowMissingShare).toBe(1);
    expect(income).toMatchObject({ kolmogorovSmirnov: null, wasserstein: null, severity: 'significant' });
    expect(income.unavailable[0]).toMatch(/every window value of this feature is missing/);
    expect(Number.isFinite(income.populationStabilityIndex)).toBe(true);
    expect(report.verdict.driftedShare).toBe(0.5);
  });

  it('handles a feature that was entirely missing in training: any value in the window is drift', () => {
    const missing = new Uint8Array(500).fill(1);
    const emptyProfile = buildReferenceProfile({
      columns: [numericColumn('Bonus', new Float64Array(500).fill(Number.NaN), missing)],
    });
    const drift = feature(
      reportFor(emptyProfile, [numericColumn('Bonus', new Float64Array(300).fill(7))]),
      'Bonus',
    );
    expect(drift).toMatchObject({ referenceMissingShare: 1, windowMissingShare: 0, severity: 'significant' });
    expect(drift.unavailable[0]).toMatch(/every training value of this feature is missing/);
    expect(Number.isFinite(drift.populationStabilityIndex)).toBe(true);
  });

  it('refuses to judge an empty window instead of returning NaN', () => {
    const accumulator = createDriftAccumulator(profile);
    expect(() => accumulator.finish()).toThrow(/window is empty/);
    accumulator.addColumns({
      columns: [numericColumn('Income (k$)', []), { ...trainingCity, codes: new Int32Array(0) }],
    });
    expect(() => accumulator.finish()).toThrow(DriftInputError);
  });

  it('refuses batches that lack a profiled feature or change its kind', () => {
    const accumulator = createDriftAccumulator(profile);
    expect(() => accumulator.addColumns({ columns: [trainingCity] })).toThrow(
      /lacks profiled features "Income \(k\$\)"/,
    );
    expect(() =>
      accumulator.addColumns({ columns: [trainingCity, { ...trainingCity, name: 'Income (k$)' }] }),
    ).toThrow(/categorical but was numeric/);
  });

  it('warns that a small window makes PSI and Jensen–Shannon unreliable', () => {
    const report = reportFor(profile, [
      normalColumn('Income (k$)', 200, random, 50, 12),
      categoricalColumn('City', 200, random, ['Paris'], [1]),
    ]);
    expect(report.warnings[0]).toMatch(/only 200 rows/);
  });
});
