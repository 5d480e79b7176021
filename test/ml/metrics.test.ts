import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  computeClassificationMetrics,
  computeRegressionMetrics,
  MetricsInputError,
} from '../../ml/metrics/index.js';

interface ClassificationCase {
  actual: number[];
  probabilities: number[];
  classCount: number;
  expected: {
    accuracy: number;
    balancedAccuracy: number;
    precision: number[];
    recall: number[];
    f1: number[];
    support: number[];
    macro: { precision: number; recall: number; f1: number };
    weighted: { precision: number; recall: number; f1: number };
    rocAuc: number;
    logLoss: number;
    brierScore: number;
    confusionMatrix: number[][];
    rocCurves: {
      positiveClass: number;
      auc: number;
      falsePositiveRate: number[];
      truePositiveRate: number[];
      thresholds: (number | null)[];
    }[];
    calibrationCurves: { positiveClass: number; fractionPositive: number[]; meanPredicted: number[] }[];
  };
}

interface MetricsFixture {
  binary: ClassificationCase;
  binaryTies: ClassificationCase;
  multiclass: ClassificationCase;
  neverPredictedClass: ClassificationCase;
  regression: { actual: number[]; predicted: number[]; expected: { rmse: number; mae: number; r2: number } };
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/ml/stats/metrics.json', import.meta.url), 'utf8'),
) as MetricsFixture;

const RELATIVE = 1e-9;

function expectClose(actual: number | null, expected: number): void {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(RELATIVE * Math.max(Math.abs(expected), 1e-12));
}

function expectAllClose(actual: readonly number[], expected: readonly number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, index) => expectClose(value, expected[index]));
}

function checkAgainstScikitLearn(testCase: ClassificationCase): void {
  const metrics = computeClassificationMetrics({
    actual: Int32Array.from(testCase.actual),
    probabilities: Float64Array.from(testCase.probabilities),
    classCount: testCase.classCount,
  });
  const { expected } = testCase;
  expectClose(metrics.accuracy, expected.accuracy);
  expectClose(metrics.balancedAccuracy, expected.balancedAccuracy);
  expectAllClose(
    metrics.perClass.map((entry) => entry.precision),
    expected.precision,
  );
  expectAllClose(
    metrics.perClass.map((entry) => entry.recall),
    expected.recall,
  );
  expectAllClose(
    metrics.perClass.map((entry) => entry.f1),
    expected.f1,
  );
  expect(metrics.perClass.map((entry) => entry.support)).toEqual(expected.support);
  for (const average of ['macro', 'weighted'] as const) {
    expectClose(metrics[average].precision, expected[average].precision);
    expectClose(metrics[average].recall, expected[average].recall);
    expectClose(metrics[average].f1, expected[average].f1);
  }
  expectClose(metrics.rocAuc, expected.rocAuc);
  expectClose(metrics.logLoss, expected.logLoss);
  expectClose(metrics.brierScore, expected.brierScore);
  expect(metrics.confusionMatrix).toEqual(expected.confusionMatrix);
  expect(metrics.rocCurves).toHaveLength(expected.rocCurves.length);
  expected.rocCurves.forEach((expectedCurve, index) => {
    const curve = metrics.rocCurves[index];
    expect(curve.positiveClass).toBe(String(expectedCurve.positiveClass));
    expectClose(curve.auc, expectedCurve.auc);
    expectAllClose(
      curve.points.map((point) => point.falsePositiveRate),
      expectedCurve.falsePositiveRate,
    );
    expectAllClose(
      curve.points.map((point) => point.truePositiveRate),
      expectedCurve.truePositiveRate,
    );
    expect(curve.points.map((point) => point.threshold)).toEqual(expectedCurve.thresholds);
  });
  expected.calibrationCurves.forEach((expectedCurve, index) => {
    const bins = metrics.calibrationCurves[index].bins;
    expectAllClose(
      bins.map((bin) => bin.fractionPositive),
      expectedCurve.fractionPositive,
    );
    expectAllClose(
      bins.map((bin) => bin.meanPredicted),
      expectedCurve.meanPredicted,
    );
  });
}

interface PrecisionRecallCase {
  curves: {
    positive: number;
    averagePrecision: number | null;
    points: { recall: number; precision: number; threshold: number | null }[];
  }[];
}
const precisionRecallFixture = JSON.parse(
  readFileSync('test/fixtures/ml/stats/precision-recall.json', 'utf8'),
) as Record<string, PrecisionRecallCase>;

describe('precision-recall curves', () => {
  for (const name of ['binary', 'binaryTies', 'multiclass', 'neverPredictedClass']) {
    it(`match scikit-learn's precision_recall_curve and average_precision_score (${name})`, () => {
      const testCase = fixture[name as keyof typeof fixture] as unknown as ClassificationCase;
      const metrics = computeClassificationMetrics({
        actual: Int32Array.from(testCase.actual),
        probabilities: Float64Array.from(testCase.probabilities),
        classCount: testCase.classCount,
      });
      const expected = precisionRecallFixture[name].curves;
      expect(metrics.precisionRecallCurves).toHaveLength(expected.length);
      expected.forEach((expectedCurve, index) => {
        const curve = metrics.precisionRecallCurves[index];
        expect(curve.positiveClass).toBe(String(expectedCurve.positive));
        expectClose(curve.averagePrecision, expectedCurve.averagePrecision!);
        expectAllClose(
          curve.points.map((point) => point.recall),
          expectedCurve.points.map((point) => point.recall),
        );
        expectAllClose(
          curve.points.map((point) => point.precision),
          expectedCurve.points.map((point) => point.precision),
        );
        expect(curve.points.map((point) => point.threshold)).toEqual(
          expectedCurve.points.map((point) => point.threshold),
        );
      });
    });
  }

  it('is undefined, with the reason, for a class with no rows', () => {
    const metrics = computeClassificationMetrics({
      actual: Int32Array.from([0, 0, 0]),
      probabilities: Float64Array.from([0.9, 0.1, 0.8, 0.2, 0.6, 0.4]),
      classCount: 2,
    });
    expect(metrics.precisionRecallCurves[0]).toMatchObject({ averagePrecision: null, points: [] });
    expect(metrics.precisionRecallCurves[0].undefinedReason).toMatch(/no positive rows/);
  });
});

describe('classification metrics', () => {
  it('match scikit-learn on a binary classifier', () => checkAgainstScikitLearn(fixture.binary));
  it('match scikit-learn when many scores are tied', () => checkAgainstScikitLearn(fixture.binaryTies));
  it('match scikit-learn on three classes (one-vs-rest macro AUC, summed Brier)', () =>
    checkAgainstScikitLearn(fixture.multiclass));
  it('match scikit-learn when a class is never predicted (precision 0, not NaN)', () =>
    checkAgainstScikitLearn(fixture.neverPredictedClass));

  it('reports AUC as null with a reason when actual holds a single class', () => {
    const metrics = computeClassificationMetrics({
      actual: Int32Array.from([1, 1, 1]),
      probabilities: Float64Array.from([0.2, 0.8, 0.6, 0.4, 0.1, 0.9]),
      classCount: 2,
      classLabels: ['no', 'yes'],
    });
    expect(metrics.rocAuc).toBeNull();
    expect(metrics.rocAucNote).toMatch(/single class \(yes\)/);
    expect(metrics.rocCurves[0]).toMatchObject({ auc: null, points: [] });
    expect(metrics.accuracy).toBeCloseTo(2 / 3, 15);
    expect(Number.isNaN(metrics.balancedAccuracy)).toBe(false);
  });

  it('averages one-vs-rest AUC over the classes present and says which it left out', () => {
    const metrics = computeClassificationMetrics({
      actual: Int32Array.from([0, 1, 0, 1]),
      probabilities: Float64Array.from([0.7, 0.2, 0.1, 0.2, 0.7, 0.1, 0.6, 0.3, 0.1, 0.3, 0.5, 0.2]),
      classCount: 3,
      classLabels: ['a', 'b', 'c'],
    });
    expect(metrics.rocAuc).toBe(1);
    expect(metrics.rocAucNote).toMatch(/classes c do not occur/);
  });

  it('thins long ROC curves to the point limit without changing the AUC', () => {
    const full = computeClassificationMetrics({
      actual: Int32Array.from(fixture.binary.actual),
      probabilities: Float64Array.from(fixture.binary.probabilities),
      classCount: 2,
    });
    const thinned = computeClassificationMetrics({
      actual: Int32Array.from(fixture.binary.actual),
      probabilities: Float64Array.from(fixture.binary.probabilities),
      classCount: 2,
      curvePointLimit: 10,
    });
    expect(thinned.rocCurves[0].points).toHaveLength(10);
    expect(thinned.rocCurves[0].points[0]).toEqual(full.rocCurves[0].points[0]);
    expect(thinned.rocCurves[0].points.at(-1)).toEqual(full.rocCurves[0].points.at(-1));
    expect(thinned.rocAuc).toBe(full.rocAuc);
  });

  it('rejects labels out of range and rows that are not probabilities', () => {
    const probabilities = Float64Array.from([0.5, 0.5, 0.5, 0.5]);
    expect(() =>
      computeClassificationMetrics({ actual: Int32Array.from([0, 2]), probabilities, classCount: 2 }),
    ).toThrow(MetricsInputError);
    expect(() =>
      computeClassificationMetrics({
        actual: Int32Array.from([0, 1]),
        probabilities: Float64Array.from([2, -1, 0.5, 0.5]),
        classCount: 2,
      }),
    ).toThrow(/expected \[0, 1\]/);
    expect(() =>
      computeClassificationMetrics({
        actual: Int32Array.from([0, 1]),
        probabilities: Float64Array.from([0.9, 0.9, 0.5, 0.5]),
        classCount: 2,
      }),
    ).toThrow(/not 1/);
    expect(() =>
      computeClassificationMetrics({
        actual: new Int32Array(0),
        probabilities: new Float64Array(0),
        classCount: 2,
      }),
    ).toThrow(/empty/);
  });
});

describe('regression metrics', () => {
  it('match scikit-learn RMSE, MAE and R²', () => {
    const { actual, predicted, expected } = fixture.regression;
    const metrics = computeRegressionMetrics({
      actual: Float64Array.from(actual),
      predicted: Float64Array.from(predicted),
    });
    expectClose(metrics.rmse, expected.rmse);
    expectClose(metrics.mae, expected.mae);
    expectClose(metrics.r2, expected.r2);
  });

  it('follows scikit-learn for a constant target: R² is 1 when perfect and 0 otherwise, never NaN', () => {
    const actual = Float64Array.from([3, 3, 3]);
    expect(computeRegressionMetrics({ actual, predicted: Float64Array.from([3, 3, 3]) }).r2).toBe(1);
    expect(computeRegressionMetrics({ actual, predicted: Float64Array.from([3, 4, 3]) }).r2).toBe(0);
  });

  it('rejects missing targets with a clear error', () => {
    expect(() =>
      computeRegressionMetrics({
        actual: Float64Array.from([1, Number.NaN]),
        predicted: Float64Array.from([1, 2]),
      }),
    ).toThrow(/drop missing targets/);
  });
});
