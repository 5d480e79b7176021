import { describe, expect, it } from 'vitest';
import type { Frame } from '../../ml/frame/frame.js';
import { frameFromRows } from '../../ml/frame/index.js';
import {
  loadModelDocument,
  type ModelCheckpoint,
  predictFrame,
  predictRow,
  serializeModelDocument,
  trainModel,
  type TrainModelRequest,
} from '../../ml/model/index.js';
import { TrainingCancelledError, type TrainingProgress } from '../../ml/training.js';
import { loadPenguins, randomSplit, seededRandom } from './models-helpers.js';

const penguins = loadPenguins();
const { train, test } = randomSplit(penguins, 0.3, 11);

/** Rows of mixed types: numbers with gaps, booleans, dates, text, and a numeric target. */
function mixedFrame(rowCount: number, seed: number): Frame {
  const random = seededRandom(seed);
  const cities = ['north (old)', 'south-east', 'west', 'centre'];
  const rows = Array.from({ length: rowCount }, (_, row) => {
    const size = random() * 100;
    const city = cities[Math.floor(random() * cities.length)];
    const member = random() < 0.4;
    const when = new Date(Date.UTC(2024, 0, 1) + Math.floor(random() * 300) * 86_400_000);
    const price = 3 + 0.05 * size + (member ? -2 : 1) + cities.indexOf(city) + random();
    return {
      'size (m²)': row % 9 === 0 ? null : size,
      city: row % 13 === 0 ? '' : city,
      'member?': member,
      'signed up': when,
      price,
      'price band': price > 8 ? 'high' : price > 5 ? 'mid' : 'low',
    };
  });
  return frameFromRows(rows);
}

const mixed = mixedFrame(600, 1);
const cases: Record<string, TrainModelRequest> = {
  'logistic regression (multiclass)': {
    frame: train,
    target: 'Species',
    trainer: 'logistic_regression',
    seed: 1,
  },
  'logistic regression with an L1 penalty (OWL-QN)': {
    frame: train,
    target: 'Species',
    trainer: 'logistic_regression',
    params: { l1: 0.01, l2: 0 },
  },
  'gradient boosting (multiclass)': {
    frame: train,
    target: 'Species',
    trainer: 'gradient_boosting',
    params: { nEstimators: 20, maxLeaves: 6, minSamplesLeaf: 5, rowSubsample: 0.8, featureSubsample: 0.8 },
    seed: 1,
  },
  'linear regression': {
    frame: mixed,
    target: 'price',
    features: ['size (m²)', 'city', 'member?', 'signed up'],
    trainer: 'linear_regression',
    params: { l2: 1e-3 },
  },
  'gradient boosting (regression)': {
    frame: mixed,
    target: 'price',
    features: ['size (m²)', 'city', 'member?', 'signed up'],
    trainer: 'gradient_boosting',
    params: { nEstimators: 15, minSamplesLeaf: 5 },
  },
};

describe('model documents', () => {
  it('describe the task, the target classes and the inputs a client must send', () => {
    const document = trainModel({
      frame: mixed,
      target: 'price band',
      features: ['size (m²)', 'city', 'member?', 'signed up'],
      trainer: 'logistic_regression',
    });
    expect(document.format).toBe('mlops.model/v1');
    expect(document.task).toBe('multiclass');
    expect(document.target).toEqual({ name: 'price band', type: 'string', classes: ['high', 'low', 'mid'] });
    expect(document.inputSchema).toEqual([
      { name: 'size (m²)', type: 'number', missingInTraining: true },
      { name: 'city', type: 'string', missingInTraining: true },
      { name: 'member?', type: 'boolean', missingInTraining: false },
      { name: 'signed up', type: 'timestamp', missingInTraining: false },
    ]);
    expect(document.trainer.params).toMatchObject({
      l2: 1e-4,
      C: null,
      maxIterations: 100,
      maxCategories: 253,
    });
  });

  for (const [name, request] of Object.entries(cases)) {
    describe(name, () => {
      it('is byte-identical when trained twice with the same seed and data', () => {
        expect(serializeModelDocument(trainModel(request))).toBe(serializeModelDocument(trainModel(request)));
      });

      it('resumed from a checkpoint (through JSON) equals the uninterrupted model', () => {
        const checkpoints: ModelCheckpoint[] = [];
        const full = trainModel({
          ...request,
          hooks: { onCheckpoint: (checkpoint) => checkpoints.push(checkpoint), checkpointEvery: 3 },
        });
        if (full.trainer.name === 'linear_regression') {
          expect(checkpoints).toEqual([]); // closed form: one step, nothing to resume
          return;
        }
        expect(checkpoints.length).toBeGreaterThan(1);
        const middle = JSON.parse(
          JSON.stringify(checkpoints[Math.floor(checkpoints.length / 2)]),
        ) as ModelCheckpoint;
        const resumed = trainModel({ ...request, hooks: { resumeFrom: middle } });
        expect(serializeModelDocument(resumed)).toBe(serializeModelDocument(full));
      });

      it('predicts rows one by one exactly as it predicts the whole frame, after a JSON round trip', () => {
        const document = trainModel(request);
        const text = serializeModelDocument(document);
        const model = loadModelDocument(text);
        expect(serializeModelDocument(model.document)).toBe(text);
        const frame = request.frame === train ? test : request.frame;
        const rows = rowsOf(frame);
        const batch = predictFrame(model, frame);
        rows.forEach((row, index) => {
          const single = predictRow(model, row);
          if (single.task === 'regression' && batch.task === 'regression') {
            expect(single.value).toBe(batch.values[index]);
            expect(Number.isFinite(single.value)).toBe(true);
          } else if (single.task !== 'regression' && batch.task !== 'regression') {
            expect(single.classIndex).toBe(batch.classIndex[index]);
            const classCount = batch.classes.length;
            expect(Array.from(single.probabilities)).toEqual(
              Array.from(batch.probabilities.subarray(index * classCount, (index + 1) * classCount)),
            );
          } else {
            throw new Error('row and frame predictions disagree on the task');
          }
        });
      });
    });
  }

  it('reports progress every iteration, with the validation metric when a validation frame is given', () => {
    const progress: TrainingProgress[] = [];
    trainModel({
      ...cases['logistic regression (multiclass)'],
      validationFrame: test,
      hooks: { onProgress: (update) => progress.push(update) },
    });
    expect(progress.length).toBeGreaterThan(3);
    expect(
      progress.every(
        (update) => update.validationMetricName === 'logloss' && Number.isFinite(update.validationMetric),
      ),
    ).toBe(true);
    expect(progress.at(-1)?.loss).toBeLessThan(progress[0].loss);
  });

  it('stops with TrainingCancelledError when shouldStop says so', () => {
    for (const request of [
      cases['logistic regression (multiclass)'],
      cases['gradient boosting (multiclass)'],
    ]) {
      let polls = 0;
      expect(() => trainModel({ ...request, hooks: { shouldStop: () => ++polls >= 2 } })).toThrow(
        TrainingCancelledError,
      );
      expect(polls).toBe(2);
    }
  });

  it('refuses a checkpoint from the other trainer family', () => {
    const checkpoints: ModelCheckpoint[] = [];
    trainModel({
      ...cases['gradient boosting (multiclass)'],
      hooks: { onCheckpoint: (checkpoint) => checkpoints.push(checkpoint), checkpointEvery: 5 },
    });
    expect(() =>
      trainModel({ ...cases['logistic regression (multiclass)'], hooks: { resumeFrom: checkpoints[0] } }),
    ).toThrow(/not made by logistic_regression/);
  });
});

/** The frame's rows as records, the way a serving client would send them. */
function rowsOf(frame: Frame): Record<string, unknown>[] {
  return Array.from({ length: frame.rowCount }, (_, row) => {
    const record: Record<string, unknown> = {};
    for (const column of frame.columns) {
      if (column.kind === 'categorical') {
        const code = column.codes[row];
        record[column.name] = code < 0 ? null : column.dictionary[code];
      } else {
        const value = column.values[row];
        record[column.name] =
          value !== value
            ? null
            : column.sourceType === 'boolean'
              ? value === 1
              : column.sourceType === 'timestamp'
                ? new Date(value).toISOString()
                : value;
      }
    }
    return record;
  });
}
