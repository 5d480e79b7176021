import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { frameFromRows } from '../../ml/frame/index.js';
import { linearLayout } from '../../ml/linear/design.js';
import { type ModelDocument, trainModel } from '../../ml/model/index.js';

interface ReferenceCase {
  case: string;
  trainer: 'logistic_regression' | 'linear_regression';
  target: string;
  C?: number;
  l1?: number;
  l2?: number;
  classWeight?: 'balanced' | null;
  classes?: string[];
  intercepts: number[];
  coefficients: Record<string, number>[];
}

const reference = JSON.parse(
  readFileSync(new URL('../fixtures/ml/linear/reference.json', import.meta.url), 'utf8'),
) as { rows: Record<string, unknown>[]; numeric: string[]; categorical: string; cases: ReferenceCase[] };

const features = [...reference.numeric, reference.categorical];
const frame = frameFromRows(reference.rows);

/** Our coefficients by the names the reference uses ("feature" or "feature=category"). */
function namedCoefficients(document: ModelDocument, output: number): Map<string, number> {
  if (document.learned.kind !== 'linear') throw new Error('expected a linear model');
  const weights = document.learned.coefficients[output];
  const layout = linearLayout(document.encoders);
  const named = new Map<string, number>();
  document.encoders.forEach((encoder, index) => {
    const slot = layout.slots[index];
    if (encoder.kind === 'numeric' && slot.kind === 'numeric')
      named.set(encoder.name, weights[slot.valueIndex]);
    if (encoder.kind === 'categorical' && slot.kind === 'categorical') {
      encoder.categories.forEach((category, code) =>
        named.set(`${encoder.name}=${category}`, weights[slot.offset + code]),
      );
      // Other, unknown and missing buckets: no training rows, so no weight.
      for (let bucket = encoder.categories.length; bucket < slot.codeCount; bucket += 1) {
        expect(weights[slot.offset + bucket]).toBe(0);
      }
    }
  });
  return named;
}

function train(referenceCase: ReferenceCase): ModelDocument {
  const params =
    referenceCase.trainer === 'logistic_regression'
      ? referenceCase.l1
        ? { l1: referenceCase.l1, l2: 0, tolerance: 1e-10, maxIterations: 10_000 }
        : {
            C: referenceCase.C,
            classWeight: referenceCase.classWeight ?? null,
            tolerance: 1e-10,
            maxIterations: 10_000,
          }
      : { l2: referenceCase.l2, solver: 'cholesky' };
  return trainModel({
    frame,
    target: referenceCase.target,
    features,
    trainer: referenceCase.trainer,
    params,
  });
}

describe('linear models against scikit-learn', () => {
  for (const referenceCase of reference.cases) {
    it(`matches scikit-learn's coefficients: ${referenceCase.case}`, () => {
      const document = train(referenceCase);
      if (document.learned.kind !== 'linear') throw new Error('expected a linear model');
      if (referenceCase.classes) expect(document.target.classes).toEqual(referenceCase.classes);
      const largest = Math.max(
        ...referenceCase.coefficients.flatMap((row) => Object.values(row).map(Math.abs)),
      );
      referenceCase.intercepts.forEach((intercept, output) => {
        expect(
          Math.abs(
            document.learned.kind === 'linear' ? document.learned.intercepts[output] - intercept : NaN,
          ),
        ).toBeLessThan(1e-5 * Math.max(1, largest));
        const ours = namedCoefficients(document, output);
        for (const [name, expected] of Object.entries(referenceCase.coefficients[output])) {
          expect(ours.has(name), name).toBe(true);
          // An L1 penalty zeroes weights exactly, in scikit-learn and in ours alike.
          if (expected === 0) expect(ours.get(name), name).toBe(0);
          expect(
            Math.abs((ours.get(name) ?? NaN) - expected),
            `${name}: ours ${ours.get(name)}, sklearn ${expected}`,
          ).toBeLessThan(1e-5 * Math.max(1, largest));
        }
      });
    });
  }
});
