import { describe, expect, it } from 'vitest';
import { getColumn } from '../../ml/frame/frame.js';
import {
  loadModelDocument,
  predictFrame,
  predictRow,
  trainModel,
  type TrainerName,
} from '../../ml/model/index.js';
import { accuracy, loadPenguins, randomSplit } from './models-helpers.js';

const penguins = loadPenguins();
const { train, test } = randomSplit(penguins, 0.25, 7);
const features = [
  'Island',
  'Beak Length (mm)',
  'Beak Depth (mm)',
  'Flipper Length (mm)',
  'Body Mass (g)',
  'Sex',
];

function holdoutAccuracy(trainer: TrainerName, params: Record<string, unknown>): number {
  const document = trainModel({ frame: train, target: 'Species', features, trainer, params, seed: 3 });
  const model = loadModelDocument(document);
  const predictions = predictFrame(model, test);
  if (predictions.task === 'regression') throw new Error('expected a classifier');
  const species = getColumn(test, 'Species');
  if (species.kind !== 'categorical') throw new Error('Species should be categorical');
  const actual = Array.from(species.codes, (code) => predictions.classes.indexOf(species.dictionary[code]));
  return accuracy(predictions.classIndex, actual);
}

describe('penguins species (multiclass, column names with spaces, missing values)', () => {
  it('has missing values in the features it trains on', () => {
    const beak = getColumn(penguins, 'Beak Length (mm)');
    expect(beak.kind === 'numeric' && beak.missing?.includes(1)).toBe(true);
    const sex = getColumn(penguins, 'Sex');
    expect(sex.kind === 'categorical' && sex.codes.includes(-1)).toBe(true);
  });

  it('logistic regression reaches holdout accuracy of at least 0.95', () => {
    expect(holdoutAccuracy('logistic_regression', { l2: 1e-3 })).toBeGreaterThanOrEqual(0.95);
  });

  it('gradient boosting reaches holdout accuracy of at least 0.95', () => {
    expect(
      holdoutAccuracy('gradient_boosting', { nEstimators: 60, minSamplesLeaf: 5, maxLeaves: 8 }),
    ).toBeGreaterThanOrEqual(0.95);
  });

  it('predicts a row with missing and unknown values without NaN', () => {
    const model = loadModelDocument(
      trainModel({ frame: train, target: 'Species', features, trainer: 'logistic_regression' }),
    );
    const prediction = predictRow(model, {
      Island: 'Atlantis',
      'Beak Length (mm)': null,
      'Flipper Length (mm)': 210,
    });
    if (prediction.task === 'regression') throw new Error('expected a classifier');
    expect(['Adelie', 'Chinstrap', 'Gentoo']).toContain(prediction.label);
    expect(Array.from(prediction.probabilities).every(Number.isFinite)).toBe(true);
    expect(prediction.probabilities.reduce((sum, probability) => sum + probability, 0)).toBeCloseTo(1, 12);
  });
});
