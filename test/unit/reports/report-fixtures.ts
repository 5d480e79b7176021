/**
 * Report data for tests, built from the real ml/metrics and ml/fairness output on small seeded
 * synthetic data: a binary, a multiclass and a regression model version.
 */

import { computeFairness } from '../../../ml/fairness/index.js';
import {
  argmaxRows,
  computeClassificationMetrics,
  computeRegressionMetrics,
} from '../../../ml/metrics/index.js';
import type { ModelReportData, ReportTask, StageRecord } from '../../../reports/index.js';
import { seededRandom } from '../../../contracts/seeded-random.js';
export { seededRandom };

interface ClassifierSample {
  readonly actual: Int32Array;
  readonly probabilities: Float64Array;
}

/** Probabilities that lean towards the actual class, with enough noise for mistakes. */
function sampleClassifier(
  rowCount: number,
  classCount: number,
  signal: number,
  random: () => number,
): ClassifierSample {
  const actual = Int32Array.from({ length: rowCount }, () => Math.floor(random() * classCount));
  const probabilities = new Float64Array(rowCount * classCount);
  for (let row = 0; row < rowCount; row += 1) {
    const logits = Array.from(
      { length: classCount },
      (_, column) => (column === actual[row] ? signal : 0) + random() * 2.5,
    );
    const total = logits.reduce((sum, logit) => sum + Math.exp(logit), 0);
    logits.forEach((logit, column) => (probabilities[row * classCount + column] = Math.exp(logit) / total));
  }
  return { actual, probabilities };
}

/** Sex with two large groups, a small one and missing values. */
function sexAttribute(rowCount: number, random: () => number) {
  const codes = Int32Array.from({ length: rowCount }, (_, row) => {
    if (row % 40 === 0) return -1;
    if (row % 23 === 0) return 2;
    return random() < 0.5 ? 0 : 1;
  });
  return { name: 'Sex', codes, dictionary: ['female', 'male', 'other'] };
}

function stages(): StageRecord[] {
  const names = ['ingest', 'validate', 'deidentify', 'split', 'train', 'evaluate', 'gate', 'register'];
  return names.map((stage, index) => ({
    stage,
    status: 'succeeded',
    attempt: stage === 'train' ? 2 : 1,
    workerIdentity: `vm/cpu/${1000 + index}`,
    cacheHit: index < 2,
    durationMs: 150 + index * 420,
    cpuMs: 100 + index * 380,
    peakRssBytes: (80 + index * 12) * 1024 * 1024,
    energyJoules: (100 + index * 380) * 0.015,
    gpuDevice: null,
  }));
}

function common(task: ReportTask, name: string): Omit<ModelReportData, 'evaluation' | 'fairness'> {
  const random = seededRandom(7);
  return {
    model: {
      name,
      version: 3,
      status: 'promoted',
      rejectionReasons: [],
      task,
      trainer: task === 'regression' ? 'linear_regression' : 'logistic_regression',
      params: { l2: 0.001, maxIterations: 200, fitIntercept: true },
      createdAt: '2025-03-14T09:26:53.589Z',
      codeVersion: '4f1c2e9ab03d7c55e1b0a9d2c3f4e5a6b7c8d9e0',
      primaryMetric: task === 'regression' ? 'rmse' : 'accuracy',
    },
    featureImportance: Array.from({ length: 25 }, (_, index) => ({
      feature: `feature ${index + 1} (mm)`,
      importance: (index % 7 === 3 ? -1 : 1) * (1 / (index + 1)),
    })),
    featureImportanceMethod: {
      kind: 'permutation',
      metric: task === 'regression' ? 'rmse' : 'accuracy',
      rows: 240,
    },
    inputs: [
      { name: 'flipper_length_mm', kind: 'numeric', rows: 340, missing: 2, min: 172, max: 231, mean: 200.9 },
      {
        name: 'island',
        kind: 'categorical',
        rows: 342,
        missing: 0,
        categories: ['Biscoe', 'Dream', 'Torgersen', '<script>alert(1)</script>'],
        distinctCount: 12,
      },
      { name: 'never seen', kind: 'numeric', rows: 0, missing: 342, min: null, max: null, mean: null },
    ],
    artifacts: [
      {
        relation: 'model_file',
        uri: `s3://mlops/models/${name}/v3/model.json`,
        sha256: '2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae',
        bytes: 48_213,
      },
      {
        relation: 'trained_on',
        uri: `s3://mlops/datasets/${name}/9f86d081.parquet`,
        sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
        bytes: 1_048_576,
      },
    ],
    trainingCurve: {
      validationMetric: task === 'regression' ? 'rmse' : 'accuracy',
      points: Array.from({ length: 40 }, (_, iteration) => ({
        iteration: iteration + 1,
        loss: 0.25 + 0.8 * Math.exp(-iteration / 8) + random() * 0.02,
        validationMetric: 0.95 - 0.4 * Math.exp(-iteration / 6),
      })),
    },
    gates:
      task === 'regression'
        ? [{ name: 'rmse', passed: true, value: 0.56, threshold: 1, bound: 'max' }]
        : [
            { name: 'accuracy', passed: true, value: 0.81, threshold: 0.7, bound: 'min' },
            {
              name: 'demographic_parity_difference (Sex)',
              passed: true,
              value: 0.08,
              threshold: 0.2,
              bound: 'max',
            },
          ],
    champion: null,
    lineage: {
      pipelineRun: { workflowId: `pipeline/${name}/abc123`, runId: '0190f3a2-7b1c-7def-8123-456789abcdef' },
      dataset: {
        name,
        version: 2,
        uri: `s3://mlops/datasets/${name}/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08.parquet`,
        sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
        rows: 1344,
      },
    },
    stages: stages(),
    tuning: {
      metric: 'accuracy',
      lowerIsBetter: false,
      trials: [0.0001, 0.001, 0.01].map((l2, index) => ({
        id: `trial-${index}`,
        params: { l2 },
        validationMetric: [0.91, 0.94, 0.89][index],
        durationMs: 1200 + index * 300,
        status: 'succeeded',
      })),
    },
    generatedAt: '2025-03-14T09:30:00.000Z',
  };
}

export function binaryReport(name = 'credit-default'): ModelReportData {
  const random = seededRandom(11);
  const rowCount = 240;
  const { actual, probabilities } = sampleClassifier(rowCount, 2, 1.2, random);
  const classLabels = ['repaid', 'default'];
  const predicted = argmaxRows(probabilities, rowCount, 2);
  return {
    ...common('binary', name),
    evaluation: {
      kind: 'classification',
      metrics: computeClassificationMetrics({ actual, probabilities, classCount: 2, classLabels }),
    },
    fairness: computeFairness({
      actual,
      predicted,
      probabilities,
      classCount: 2,
      classLabels,
      sensitive: [sexAttribute(rowCount, random)],
    }),
  };
}

export function multiclassReport(name = 'penguins-species'): ModelReportData {
  const random = seededRandom(23);
  const rowCount = 180;
  const { actual, probabilities } = sampleClassifier(rowCount, 3, 1.6, random);
  const classLabels = ['Adelie', 'Gentoo', 'Chinstrap'];
  const predicted = argmaxRows(probabilities, rowCount, 3);
  const base = common('multiclass', name);
  return {
    ...base,
    evaluation: {
      kind: 'classification',
      metrics: computeClassificationMetrics({ actual, probabilities, classCount: 3, classLabels }),
    },
    fairness: computeFairness({
      actual,
      predicted,
      probabilities,
      classCount: 3,
      classLabels,
      sensitive: [sexAttribute(rowCount, random)],
    }),
    champion: { version: 2, metrics: { accuracy: 0.5, balanced_accuracy: 0.52, auc: 0.8, logloss: 0.9 } },
  };
}

export function regressionReport(name = 'house-prices'): ModelReportData {
  const random = seededRandom(5);
  const rowCount = 120;
  const inputs = Float64Array.from({ length: rowCount }, () => random() * 10);
  const actual = inputs.map((x) => 3 * x + 2 + (random() - 0.5) * 2);
  const predicted = inputs.map((x) => 3 * x + 2);
  return {
    ...common('regression', name),
    evaluation: { kind: 'regression', metrics: computeRegressionMetrics({ actual, predicted }) },
    fairness: null,
    tuning: null,
    champion: { version: 1, metrics: { rmse: 0.7, mae: 0.5, r2: 0.9 } },
  };
}
