import { describe, expect, it } from 'vitest';
import { frameFromColumns } from '../../ml/frame/index.js';
import { linearLayout } from '../../ml/linear/design.js';
import {
  loadModelDocument,
  predictRow,
  type RowPrediction,
  trainModel,
  type TrainerName,
} from '../../ml/model/index.js';
import { TrainingInputError } from '../../ml/training.js';
import { seededRandom } from './models-helpers.js';

const random = seededRandom(3);
const rowCount = 400;
const size = Array.from({ length: rowCount }, () => random() * 10);
const color = Array.from({ length: rowCount }, (_, row) => ['red', 'green', 'blue'][row % 3]);
const frame = frameFromColumns([
  { name: 'size', values: size },
  { name: 'color', values: color },
  { name: 'always empty', values: Array.from({ length: rowCount }, () => null) },
  { name: 'constant', values: Array.from({ length: rowCount }, () => 7) },
  {
    name: 'label',
    values: size.map((value, row) =>
      value + (color[row] === 'red' ? 2 : 0) + random() * 2 > 7 ? 'yes' : 'no',
    ),
  },
  {
    name: 'amount',
    values: size.map((value, row) => 3 * value + (color[row] === 'blue' ? 5 : 0) + random()),
  },
]);
const features = ['size', 'color', 'always empty', 'constant'];
const classifiers: TrainerName[] = ['logistic_regression', 'gradient_boosting'];
const hostileValues: unknown[] = [
  1e308,
  -1e308,
  Infinity,
  NaN,
  'abc',
  '',
  {},
  [],
  true,
  10n,
  new Date(0),
  Symbol('s'),
  () => 1,
];

function expectFinite(prediction: RowPrediction): void {
  if (prediction.task === 'regression') {
    expect(Number.isFinite(prediction.value)).toBe(true);
  } else {
    expect(
      Array.from(prediction.probabilities).every(
        (probability) => Number.isFinite(probability) && probability >= 0,
      ),
    ).toBe(true);
  }
}

describe('edge cases', () => {
  for (const trainer of [...classifiers, 'linear_regression' as const]) {
    const target = trainer === 'linear_regression' ? 'amount' : 'label';
    const document = trainModel({
      frame,
      target,
      features,
      trainer,
      params: trainer === 'gradient_boosting' ? { nEstimators: 10 } : {},
    });
    const model = loadModelDocument(document);

    it(`${trainer}: never predicts NaN, whatever the inputs hold`, () => {
      expectFinite(predictRow(model, {}));
      for (const value of hostileValues) {
        for (const feature of features)
          expectFinite(predictRow(model, { size: 5, color: 'red', [feature]: value }));
      }
    });

    it(`${trainer}: puts categories never seen in training into the unknown bucket`, () => {
      expectFinite(predictRow(model, { size: 5, color: 'ultraviolet' }));
      if (document.learned.kind === 'linear') {
        const layout = linearLayout(document.encoders);
        const slot = layout.slots[1];
        if (slot.kind !== 'categorical') throw new Error('color should be categorical');
        // Unknown is code K + 1 with K kept categories: no training row, so no weight.
        expect(document.learned.coefficients[0][slot.offset + 3 + 1]).toBe(0);
      }
    });

    it(`${trainer}: ignores a column that was missing in every training row`, () => {
      expect(document.encoders[2]).toMatchObject({ kind: 'numeric', missingIndicator: false });
      expect(predictRow(model, { size: 5, color: 'red', 'always empty': 123 })).toEqual(
        predictRow(model, { size: 5, color: 'red' }),
      );
    });

    it(`${trainer}: gives a constant feature no influence`, () => {
      expect(document.encoders[3]).toMatchObject({ kind: 'numeric', center: 7, scale: 1 });
      if (document.learned.kind === 'linear') expect(document.learned.coefficients[0][2]).toBe(0);
    });
  }

  for (const trainer of classifiers) {
    it(`${trainer}: refuses a target with a single class`, () => {
      const oneClass = frameFromColumns([
        { name: 'x', values: [1, 2, 3] },
        { name: 'y', values: ['only', 'only', 'only'] },
      ]);
      expect(() => trainModel({ frame: oneClass, target: 'y', trainer })).toThrow(TrainingInputError);
      expect(() => trainModel({ frame: oneClass, target: 'y', trainer })).toThrow(/single class \("only"\)/);
    });
  }

  it('refuses bad requests with a TrainingInputError saying what to fix', () => {
    const cases: [Parameters<typeof trainModel>[0], RegExp][] = [
      [
        { frame, target: 'label', trainer: 'logistic_regression', params: { learningRate: 0.1 } },
        /logistic_regression parameter learningRate is unknown/,
      ],
      [
        { frame, target: 'label', trainer: 'logistic_regression', params: { l2: '0.1' } },
        /logistic_regression parameter l2 must be a finite number/,
      ],
      [{ frame, target: 'label', trainer: 'logistic_regression', params: { C: 1, l2: 0.1 } }, /l2 or C/],
      [
        { frame, target: 'label', trainer: 'logistic_regression', params: { C: 1, classWeight: 'heavy' } },
        /classWeight/,
      ],
      [
        { frame, target: 'label', trainer: 'logistic_regression', params: { classWeight: { maybe: 2 } } },
        /names class "maybe"/,
      ],
      [
        { frame, target: 'label', features: ['size', 'colour'], trainer: 'logistic_regression' },
        /column "colour" does not exist/,
      ],
      [
        { frame, target: 'label', features: ['label'], trainer: 'logistic_regression' },
        /cannot also be a feature/,
      ],
      [
        { frame, target: 'label', trainer: 'linear_regression' },
        /holds text, but regression .* needs a numeric target/,
      ],
      [
        { frame, target: 'amount', trainer: 'logistic_regression', task: 'binary' },
        /task binary was asked for/,
      ],
      [
        { frame, target: 'label', trainer: 'gradient_boosting', params: { maxCategories: 300 } },
        /maxCategories/,
      ],
      [
        { frame, target: 'label', trainer: 'gradient_boosting', params: { threads: 0 } },
        /threads must be an integer/,
      ],
      [{ frame: frameFromColumns([]), target: 'label', trainer: 'logistic_regression' }, /no rows/],
    ];
    for (const [request, message] of cases) {
      expect(() => trainModel(request)).toThrow(TrainingInputError);
      expect(() => trainModel(request)).toThrow(message);
    }
  });

  it('refuses missing target values and validation classes unseen in training', () => {
    const gaps = frameFromColumns([
      { name: 'x', values: [1, 2, 3] },
      { name: 'y', values: ['a', null, 'b'] },
    ]);
    expect(() => trainModel({ frame: gaps, target: 'y', trainer: 'logistic_regression' })).toThrow(
      /missing in row 1/,
    );
    const validationFrame = frameFromColumns([
      { name: 'x', values: [1] },
      { name: 'y', values: ['c'] },
    ]);
    const training = frameFromColumns([
      { name: 'x', values: [1, 2, 3] },
      { name: 'y', values: ['a', 'b', 'a'] },
    ]);
    expect(() =>
      trainModel({ frame: training, target: 'y', trainer: 'logistic_regression', validationFrame }),
    ).toThrow(/class "c"/);
  });

  it('classifies a 0/1 numeric target with logistic regression, labels sorted numerically', () => {
    const numericTarget = frameFromColumns([
      { name: 'x', values: [1, 2, 3, 4, 5, 6] },
      { name: 'y', values: [0, 0, 1, 0, 1, 1] },
    ]);
    const document = trainModel({ frame: numericTarget, target: 'y', trainer: 'logistic_regression' });
    expect(document.target).toEqual({ name: 'y', type: 'number', classes: ['0', '1'] });
  });
});
