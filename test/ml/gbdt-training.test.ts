import { describe, expect, it } from 'vitest';
import { TrainingCancelledError, TrainingInputError, type TrainingProgress } from '../../ml/training.js';
import {
  fitGradientBoosting,
  type GradientBoostingCheckpoint,
  type GradientBoostingData,
  type GradientBoostingParams,
} from '../../ml/gbdt/index.js';
import { BLOCK_ROWS } from '../../ml/gbdt/row-tasks.js';
import { SeededRandom } from '../../ml/gbdt/random.js';
import { binaryParams, categorical, mixedBinaryData, numeric } from './gbdt-data.js';

/** Labels mostly noise, so a deep, fast-learning model overfits after a few rounds. */
function noisyData(rowCount: number, seed: number): GradientBoostingData {
  const random = new SeededRandom(seed);
  const x = Array.from({ length: rowCount }, () => random.nextFloat());
  const target = Float64Array.from(x, (value) => (random.nextFloat() < 0.35 + 0.3 * value ? 1 : 0));
  return {
    features: [
      numeric('x', x),
      numeric(
        'noise',
        x.map(() => random.nextFloat()),
      ),
    ],
    target,
  };
}

describe('gradient boosting training', () => {
  it('gives byte-identical models for the same seed and different ones for another seed', () => {
    const data = mixedBinaryData(3000, 11);
    const params = binaryParams({ nEstimators: 15, rowSubsample: 0.6, featureSubsample: 0.67, seed: 5 });
    const first = JSON.stringify(fitGradientBoosting(data, params));
    expect(JSON.stringify(fitGradientBoosting(data, params))).toBe(first);
    expect(JSON.stringify(fitGradientBoosting(data, { ...params, seed: 6 }))).not.toBe(first);
  });

  it('builds the same model on worker threads as on one thread', () => {
    // Enough rows for several row blocks, so the threaded paths (partial histograms, partition
    // merging, parallel gradients and score updates) all run.
    const data = mixedBinaryData(BLOCK_ROWS * 2 + 1234, 12);
    const params = binaryParams({ nEstimators: 4, rowSubsample: 0.9, seed: 3 });
    const serial = JSON.stringify(fitGradientBoosting(data, { ...params, threads: 1 }));
    expect(JSON.stringify(fitGradientBoosting(data, { ...params, threads: 2 }))).toBe(serial);
    expect(JSON.stringify(fitGradientBoosting(data, { ...params, threads: 3 }))).toBe(serial);
  });

  it('resumes from a checkpoint to exactly the model of an uninterrupted run', () => {
    const data = mixedBinaryData(2000, 13);
    const validation = mixedBinaryData(500, 14);
    const params = binaryParams({
      nEstimators: 12,
      rowSubsample: 0.7,
      featureSubsample: 0.67,
      earlyStoppingRounds: 50,
      seed: 9,
    });
    const checkpoints: GradientBoostingCheckpoint[] = [];
    const uninterrupted = fitGradientBoosting(data, params, {
      validation,
      hooks: { checkpointEvery: 5, onCheckpoint: (checkpoint) => checkpoints.push(checkpoint) },
    });
    expect(checkpoints.map((checkpoint) => checkpoint.round)).toEqual([5, 10]);
    // As stored and read back: plain JSON.
    const stored = JSON.parse(JSON.stringify(checkpoints[0])) as GradientBoostingCheckpoint;
    const progress: number[] = [];
    const resumed = fitGradientBoosting(data, params, {
      validation,
      hooks: { resumeFrom: stored, onProgress: (report) => progress.push(report.iteration) },
    });
    expect(progress).toEqual([6, 7, 8, 9, 10, 11, 12]);
    expect(JSON.stringify(resumed)).toBe(JSON.stringify(uninterrupted));
  });

  it('refuses a checkpoint made with other parameters or data', () => {
    const data = mixedBinaryData(500, 15);
    const checkpoints: GradientBoostingCheckpoint[] = [];
    const params = binaryParams({ nEstimators: 4 });
    fitGradientBoosting(data, params, {
      hooks: { checkpointEvery: 2, onCheckpoint: (value) => checkpoints.push(value) },
    });
    const resumeFrom = checkpoints[0];
    expect(() =>
      fitGradientBoosting(data, { ...params, learningRate: 0.2 }, { hooks: { resumeFrom } }),
    ).toThrow(TrainingInputError);
    expect(() => fitGradientBoosting(mixedBinaryData(400, 15), params, { hooks: { resumeFrom } })).toThrow(
      /checkpoint has 500 rows/,
    );
  });

  it('stops early when the validation loss stops improving and keeps the best round', () => {
    const params = binaryParams({ nEstimators: 200, learningRate: 0.5, maxLeaves: 64, minSamplesLeaf: 2 });
    const reports: TrainingProgress[] = [];
    const model = fitGradientBoosting(
      noisyData(1500, 16),
      { ...params, earlyStoppingRounds: 5 },
      {
        validation: noisyData(1500, 17),
        hooks: { onProgress: (report) => reports.push(report) },
      },
    );
    expect(reports.length).toBeLessThan(200);
    expect(reports.length).toBe(model.bestIteration + 5);
    expect(model.trees).toHaveLength(model.bestIteration);
    const losses = reports.map((report) => report.validationMetric!);
    expect(Math.min(...losses)).toBe(losses[model.bestIteration - 1]);
    expect(reports[0].validationMetricName).toBe('log_loss');
  });

  it('reports the training loss every round and stops with TrainingCancelledError on request', () => {
    const data = mixedBinaryData(1000, 18);
    const reports: TrainingProgress[] = [];
    fitGradientBoosting(data, binaryParams({ nEstimators: 10 }), {
      hooks: { onProgress: (report) => reports.push(report) },
    });
    expect(reports.map((report) => report.iteration)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    reports.slice(1).forEach((report, index) => expect(report.loss).toBeLessThan(reports[index].loss));
    let polls = 0;
    expect(() =>
      fitGradientBoosting(data, binaryParams({ nEstimators: 10 }), {
        hooks: { shouldStop: () => ++polls > 3 },
      }),
    ).toThrow(TrainingCancelledError);
    expect(polls).toBe(4);
  });

  it('rejects unusable input with TrainingInputError saying what is wrong', () => {
    const data = mixedBinaryData(100, 19);
    const params = binaryParams();
    const cases: [string, GradientBoostingData, GradientBoostingParams, RegExp][] = [
      ['no rows', { features: [numeric('x', [])], target: new Float64Array(0) }, params, /no rows/],
      ['no features', { features: [], target: data.target }, params, /no features/],
      ['class out of range', { ...data, target: data.target.map(() => 2) }, params, /class indices/],
      [
        'NaN target',
        { ...data, target: data.target.map((value, row) => (row === 3 ? NaN : value)) },
        params,
        /row 3/,
      ],
      ['one class', { ...data, target: data.target.map(() => 1) }, params, /single class/],
      ['too many bins', data, { ...params, maxBins: 256 }, /maxBins/],
      ['bad learning rate', data, { ...params, learningRate: 0 }, /learningRate/],
      ['wrong class count', data, { ...params, classCount: 3 }, /classCount 2/],
      ['short column', { ...data, features: [numeric('x', [1, 2])] }, params, /2 rows/],
      [
        'infinite value',
        {
          ...data,
          features: [
            numeric(
              'x',
              data.target.map(() => Infinity),
            ),
          ],
        },
        params,
        /infinite/,
      ],
      [
        'code out of range',
        {
          ...data,
          features: [
            categorical(
              'c',
              data.target.map(() => 7),
              3,
            ),
          ],
        },
        params,
        /code 7/,
      ],
      ['early stopping alone', data, { ...params, earlyStoppingRounds: 3 }, /validation set/],
      ['negative weight', { ...data, weights: data.target.map(() => -1) }, params, /weights/],
    ];
    for (const [, input, inputParams, message] of cases) {
      expect(() => fitGradientBoosting(input, inputParams)).toThrow(TrainingInputError);
      expect(() => fitGradientBoosting(input, inputParams)).toThrow(message);
    }
  });

  it('uses sample weights: a heavily weighted class dominates the base score', () => {
    const data = mixedBinaryData(1000, 20);
    const weights = data.target.map((label) => (label === 1 ? 10 : 1));
    const plain = fitGradientBoosting(data, binaryParams({ nEstimators: 1 }));
    const weighted = fitGradientBoosting({ ...data, weights }, binaryParams({ nEstimators: 1 }));
    expect(weighted.baseScores[0]).toBeCloseTo(plain.baseScores[0] + Math.log(10), 10);
  });
});
