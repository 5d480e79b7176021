import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../spec/parse.js';

const base = {
  name: 'penguins',
  dataset: { uri: 'penguins.json' },
  target: 'Species',
  exclude: ['Sex'],
  train: { trainer: 'logistic_regression' },
};

describe('spec: serving.allowMissing', () => {
  it('defaults to none: every input is required at serving', () => {
    expect(parseSpec(base).serving).toEqual({ allowMissing: [] });
    expect(parseSpec({ ...base, serving: { allowMissing: ['Body Mass (g)'] } }).serving.allowMissing).toEqual(
      ['Body Mass (g)'],
    );
  });

  it('refuses the target, a column that is no input, and one outside the features', () => {
    const problems = (serving: unknown, extra: Record<string, unknown> = {}) => {
      try {
        parseSpec({ ...base, ...extra, serving });
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(problems({ allowMissing: ['Species'] })).toMatch(
      /serving\.allowMissing.*lists the target "Species"/,
    );
    expect(problems({ allowMissing: ['Sex'] })).toMatch(/"Sex" is not a model input \(it is in exclude\)/);
    expect(problems({ allowMissing: ['Island'] }, { features: ['Body Mass (g)'] })).toMatch(
      /"Island" is not in features \(Body Mass \(g\)\)/,
    );
    expect(problems({ allowMisssing: ['Island'] })).toMatch(/allowMisssing/);
  });
});
