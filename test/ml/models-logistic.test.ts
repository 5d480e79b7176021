import { describe, expect, it } from 'vitest';
import { frameFromColumns, takeRows } from '../../ml/frame/index.js';
import { DEFAULT_LBFGS_OPTIONS, minimizeLbfgs } from '../../ml/linear/lbfgs.js';
import { loadModelDocument, predictFrame, serializeModelDocument, trainModel } from '../../ml/model/index.js';
import { seededRandom } from './models-helpers.js';

function syntheticFrame(rowCount: number, seed: number) {
  const random = seededRandom(seed);
  const x = Float64Array.from({ length: rowCount }, () => random() * 4 - 2);
  const group = Array.from({ length: rowCount }, () => `group ${Math.floor(random() * random() * 40)}`);
  const amount = Float64Array.from(x, (value, row) => 2 * value + group[row].length + random());
  const label = Array.from(x, (value, row) =>
    value + 0.1 * group[row].length + random() * 2 > 1.5 ? 'yes' : 'no',
  );
  return frameFromColumns([
    { name: 'x', values: x },
    { name: 'group', values: group },
    { name: 'amount', values: amount },
    { name: 'label', values: label },
  ]);
}

function coefficientsOf(document: ReturnType<typeof trainModel>): number[] {
  if (document.learned.kind !== 'linear') throw new Error('expected a linear model');
  return [...document.learned.intercepts, ...document.learned.coefficients.flat()];
}

describe('L-BFGS', () => {
  it('finds the minimum of the Rosenbrock function from the usual start', () => {
    const rosenbrock = (point: Float64Array, gradient: Float64Array) => {
      const [x, y] = point;
      gradient[0] = -2 * (1 - x) - 400 * x * (y - x * x);
      gradient[1] = 200 * (y - x * x);
      return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
    };
    const result = minimizeLbfgs(rosenbrock, Float64Array.of(-1.2, 1), {
      ...DEFAULT_LBFGS_OPTIONS,
      gradientTolerance: 1e-10,
      lossChangeTolerance: 0,
    });
    expect(result.stopReason).toBe('gradient_tolerance');
    expect(result.point[0]).toBeCloseTo(1, 8);
    expect(result.point[1]).toBeCloseTo(1, 8);
  });
});

describe('logistic regression', () => {
  it('gives the same bits whether its loss runs on one thread or two', () => {
    // More than two chunks of 65,536 rows, so two threads really share the work.
    const frame = syntheticFrame(140_000, 1);
    const request = {
      frame,
      target: 'label',
      features: ['x', 'group'],
      trainer: 'logistic_regression' as const,
    };
    const single = trainModel({ ...request, params: { threads: 1 } });
    const double = trainModel({ ...request, params: { threads: 2 } });
    expect(serializeModelDocument(double)).toBe(serializeModelDocument(single));
  });

  it('treats a class weight of 2 like every row of that class appearing twice', () => {
    const frame = syntheticFrame(2000, 2);
    const label = frame.columns[3];
    if (label.kind !== 'categorical') throw new Error('label should be categorical');
    const yes = label.dictionary.indexOf('yes');
    const rows = Array.from({ length: frame.rowCount }, (_, row) => row);
    const duplicated = takeRows(frame, [...rows, ...rows.filter((row) => label.codes[row] === yes)]);
    // Without a penalty both objectives are the same function of the predictions (encoders differ
    // a little, as duplicated rows move means), so the fitted probabilities must agree.
    const params = { l2: 0, tolerance: 1e-9, maxIterations: 1000 };
    const request = { target: 'label', features: ['x', 'group'], trainer: 'logistic_regression' as const };
    const weighted = loadModelDocument(
      trainModel({ ...request, frame, params: { ...params, classWeight: { yes: 2 } } }),
    );
    const repeated = loadModelDocument(trainModel({ ...request, frame: duplicated, params }));
    const [first, second] = [predictFrame(weighted, frame), predictFrame(repeated, frame)];
    if (first.task === 'regression' || second.task === 'regression') throw new Error('expected classifiers');
    const largestDifference = first.probabilities.reduce(
      (largest, probability, index) => Math.max(largest, Math.abs(probability - second.probabilities[index])),
      0,
    );
    expect(largestDifference).toBeLessThan(1e-5);
  });
});

describe('linear regression', () => {
  it('reaches the closed-form ridge solution by L-BFGS as well', () => {
    const frame = syntheticFrame(3000, 3);
    const request = {
      frame,
      target: 'amount',
      features: ['x', 'group'],
      trainer: 'linear_regression' as const,
    };
    const exact = coefficientsOf(trainModel({ ...request, params: { l2: 1e-3, solver: 'cholesky' } }));
    const iterative = coefficientsOf(
      trainModel({ ...request, params: { l2: 1e-3, solver: 'lbfgs', tolerance: 1e-10 } }),
    );
    iterative.forEach((value, index) => expect(value).toBeCloseTo(exact[index], 4));
  });
});
