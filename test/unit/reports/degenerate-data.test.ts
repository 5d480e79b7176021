import { describe, expect, it } from 'vitest';
import type { FairnessReport } from '../../../ml/fairness/index.js';
import { computeClassificationMetrics } from '../../../ml/metrics/index.js';
import { renderModelReport, type ModelReportData } from '../../../reports/index.js';
import { chartIds, chartParts, nestingProblem, svgBlocks, svgNumberProblems } from './html-inspection.js';

const chart = (html: string, id: string) => chartParts(html, id).svg;
import { binaryReport, multiclassReport, regressionReport } from './report-fixtures.js';

function expectDrawable(html: string) {
  expect(nestingProblem(html)).toBeNull();
  expect(svgNumberProblems(html)).toEqual([]);
  expect(html).not.toMatch(/NaN|Infinity/);
}

const ZERO_GROUP_FAIRNESS: FairnessReport = {
  minGroupSize: 30,
  classes: [
    {
      positiveClass: '1',
      attributes: [
        {
          attribute: 'Sex',
          groups: [],
          overall: {
            groupCount: 0,
            demographicParityDifference: NaN,
            demographicParityRatio: null,
            equalizedOddsDifference: null,
            truePositiveRateDifference: null,
            falsePositiveRateDifference: null,
          },
          excludingSmallGroups: null,
          smallGroups: [],
        },
      ],
    },
  ],
  worst: {
    demographicParityDifference: -Infinity,
    demographicParityRatio: null,
    equalizedOddsDifference: null,
  },
};

describe('report on degenerate data', () => {
  it('shows NaN, Infinity and null as "–" and never writes them into SVG coordinates', () => {
    const data = binaryReport();
    const metrics = data.evaluation.kind === 'classification' ? data.evaluation.metrics : null;
    const report: ModelReportData = {
      ...data,
      evaluation: {
        kind: 'classification',
        metrics: {
          ...metrics!,
          accuracy: NaN,
          logLoss: Infinity,
          rocAuc: null,
          rocCurves: [
            {
              positiveClass: '1',
              auc: NaN,
              undefinedReason: null,
              points: [
                { falsePositiveRate: 0, truePositiveRate: 0, threshold: null },
                { falsePositiveRate: NaN, truePositiveRate: 0.5, threshold: 0.5 },
                { falsePositiveRate: 0.5, truePositiveRate: Infinity, threshold: 0.4 },
                { falsePositiveRate: 1, truePositiveRate: 1, threshold: 0.1 },
              ],
            },
          ],
          calibrationCurves: [
            { positiveClass: '1', bins: [{ meanPredicted: NaN, fractionPositive: NaN, count: 0 }] },
          ],
          confusionMatrix: [
            [NaN, 3],
            [Infinity, 4],
          ],
        },
      },
      featureImportance: [
        { feature: 'a', importance: NaN },
        { feature: 'b', importance: Infinity },
        { feature: 'c', importance: null },
        { feature: 'd', importance: 0.4 },
      ],
      trainingCurve: {
        validationMetric: 'auc',
        points: [
          { iteration: 1, loss: NaN, validationMetric: null },
          { iteration: 2, loss: 0.5, validationMetric: Infinity },
          { iteration: NaN, loss: 0.4 },
        ],
      },
      gates: [{ name: 'accuracy', passed: false, value: NaN, threshold: null, bound: 'min' }],
      champion: { version: 1, metrics: { accuracy: NaN, logloss: null } },
      lineage: { dataset: { ...data.lineage.dataset, rows: NaN } },
      stages: data.stages.map((stage) => ({
        ...stage,
        durationMs: NaN,
        cpuMs: null,
        peakRssBytes: Infinity,
        energyJoules: -Infinity,
      })),
    };
    for (const candidate of [report, JSON.parse(JSON.stringify(report)) as ModelReportData]) {
      const html = renderModelReport(candidate);
      expectDrawable(html);
      expect(html).toContain('<td>Accuracy</td><td class="num">–</td>');
      expect(html).toContain('<td>Log loss</td><td class="num">–</td>');
      expect(html).toContain('<td>accuracy</td><td class="num">–</td><td class="num">–</td>');
      expect(html).toContain('<dt>Rows</dt><dd>–</dd>');
      expect(chart(html, 'chart-roc')).toContain('(AUC –)');
      // The two points with a non-finite rate are left out: the curve runs (0, 0) to (1, 1).
      expect(chart(html, 'chart-roc')).toMatch(/<path class="series" d="M[\d.]+ [\d.]+ L[\d.]+ [\d.]+"/);
      expect(chart(html, 'chart-calibration')).toContain('No calibration curve');
      expect(chart(html, 'chart-confusion')).toMatch(/<text class="cell-value[^"]*"[^>]*>–<\/text>/);
      expect(chart(html, 'chart-training-loss')).toMatch(/<path class="series" d="M[\d.]+ [\d.]+"/);
    }
  });

  it('renders a model evaluated on a single class: no ROC curve, a message instead', () => {
    const metrics = computeClassificationMetrics({
      actual: Int32Array.from([0, 0, 0]),
      probabilities: Float64Array.from([0.9, 0.1, 0.6, 0.4, 0.3, 0.7]),
      classCount: 2,
    });
    const html = renderModelReport({ ...binaryReport(), evaluation: { kind: 'classification', metrics } });
    expectDrawable(html);
    expect(chart(html, 'chart-roc')).toContain('No ROC curve: the test set holds a single class.');
    expect(html).toContain('ROC AUC is undefined: actual holds a single class (0)');
    expect(chart(html, 'chart-calibration')).toContain('<path class="series"');
  });

  it('renders empty data: no features, no training points, zero groups, no stages, no trials', () => {
    const html = renderModelReport({
      ...binaryReport(),
      fairness: ZERO_GROUP_FAIRNESS,
      featureImportance: [],
      trainingCurve: { validationMetric: null, points: [] },
      gates: [],
      stages: [],
      tuning: { metric: 'accuracy', lowerIsBetter: false, trials: [] },
    });
    expectDrawable(html);
    expect(chart(html, 'chart-feature-importance')).toContain(
      'No feature importance was recorded for this model.',
    );
    expect(chart(html, 'chart-training-loss')).toContain('No training loss was recorded.');
    expect(chartIds(html)).not.toContain('chart-training-validation');
    expect(chart(html, 'chart-fairness-0-0')).toContain('No groups');
    expect(html).toContain('The spec sets no gates.');
    expect(html).toContain('No stage runs were recorded.');
    expect(html).toContain('The search ran no trials.');
    for (const svg of svgBlocks(html))
      expect(svg).toMatch(/<title id="[^"]+">[^<]+<\/title><desc id="[^"]+">[^<]+<\/desc>/);
  });

  it('draws one point as a dot and stretches all-equal values to a visible range', () => {
    const html = renderModelReport({
      ...regressionReport(),
      featureImportance: [
        { feature: 'a', importance: 0 },
        { feature: 'b', importance: 0 },
      ],
      trainingCurve: { validationMetric: 'rmse', points: [{ iteration: 1, loss: 0.3, validationMetric: 2 }] },
    });
    expectDrawable(html);
    const loss = chart(html, 'chart-training-loss');
    expect(loss).toMatch(/<circle cx="[\d.]+" cy="[\d.]+" r="3.5"/);
    // 0.3 alone gets the range [0.27, 0.33]: ticks around it, none repeated.
    const ticks = [...loss.matchAll(/<text class="tick-label"[^>]*text-anchor="end">([^<]*)<\/text>/g)].map(
      (m) => m[1],
    );
    expect(ticks.length).toBeGreaterThan(1);
    expect(new Set(ticks).size).toBe(ticks.length);
    const bars = chart(html, 'chart-feature-importance');
    expect(bars.match(/<rect class="bar" [^>]*width="0"/g)).toHaveLength(2);
    expect(bars).toContain('>1.0</text>');
  });

  it('keeps many classes and long names inside the charts', () => {
    const classCount = 30;
    const rowCount = 300;
    const actual = Int32Array.from({ length: rowCount }, (_, row) => row % classCount);
    const probabilities = Float64Array.from({ length: rowCount * classCount }, (_, index) =>
      index % classCount === Math.floor(index / classCount) % classCount ? 0.42 : 0.02,
    );
    const classLabels = Array.from(
      { length: classCount },
      (_, index) => `a rather long class label number ${index}`,
    );
    const metrics = computeClassificationMetrics({ actual, probabilities, classCount, classLabels });
    const html = renderModelReport({
      ...multiclassReport(),
      evaluation: { kind: 'classification', metrics },
      fairness: null,
    });
    expectDrawable(html);
    expect(chart(html, 'chart-confusion').match(/<rect class="cell"/g)).toHaveLength(classCount * classCount);
    expect(chart(html, 'chart-roc').match(/<path class="series"/g)).toHaveLength(classCount);
    expect(chart(html, 'chart-roc')).toContain('stroke-dasharray="6 3"');
  });
});
