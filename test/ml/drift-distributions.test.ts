import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chiSquareSurvival, kolmogorovSmirnovSurvival, smirnovSurvival } from '../../ml/stats/index.js';

interface DistributionsFixture {
  kstwoSurvival: { n: number; x: number; sf: number }[];
  smirnovSurvival: { n: number; x: number; sf: number }[];
  chiSquareSurvival: { dof: number; x: number; sf: number }[];
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/ml/stats/distributions.json', import.meta.url), 'utf8'),
) as DistributionsFixture;

/** |actual - expected| <= relative·|expected|, or <= absolute for values that are ~0. */
function expectClose(actual: number, expected: number, relative: number, absolute = 1e-300): void {
  expect(Number.isFinite(actual)).toBe(true);
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.max(relative * Math.abs(expected), absolute));
}

describe('distribution functions behind drift p-values', () => {
  it('kolmogorovSmirnovSurvival matches scipy.stats.kstwo.sf in every algorithm regime', () => {
    for (const point of fixture.kstwoSurvival) {
      expectClose(kolmogorovSmirnovSurvival(point.n, point.x), point.sf, 1e-9, 1e-15);
    }
  });

  it('smirnovSurvival matches scipy.special.smirnov', () => {
    for (const point of fixture.smirnovSurvival) {
      expectClose(smirnovSurvival(point.n, point.x), point.sf, 1e-9, 1e-15);
    }
  });

  it('chiSquareSurvival matches scipy.stats.chi2.sf from 1 to 2000 degrees of freedom', () => {
    for (const point of fixture.chiSquareSurvival) {
      expectClose(chiSquareSurvival(point.x, point.dof), point.sf, 1e-9);
    }
  });

  it('rejects arguments outside the domain instead of returning NaN', () => {
    expect(() => kolmogorovSmirnovSurvival(0, 0.5)).toThrow(RangeError);
    expect(() => smirnovSurvival(10, 1.5)).toThrow(RangeError);
    expect(() => chiSquareSurvival(3, 0)).toThrow(RangeError);
  });
});
