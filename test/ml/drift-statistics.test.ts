import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  chiSquareContingency,
  chiSquareTest,
  kolmogorovSmirnovTwoSample,
  type KolmogorovSmirnovMethod,
  StatisticsInputError,
} from '../../ml/stats/index.js';
import {
  jensenShannonDistance,
  populationStabilityIndex,
  wassersteinDistance,
} from '../../ml/drift/index.js';

interface Recipe {
  size: number;
  multiplier: number;
  scale: number;
}
interface KsCase {
  label: string;
  method: KolmogorovSmirnovMethod;
  a?: number[];
  b?: number[];
  recipeA?: Recipe;
  recipeB?: Recipe;
  statistic: number;
  pValue: number;
}
interface Fixture {
  kolmogorovSmirnov: KsCase[];
  chiSquareGoodnessOfFit: {
    observed: number[];
    expected: number[] | null;
    ddof: number;
    statistic: number;
    pValue: number;
  }[];
  chiSquareContingency: {
    table: number[][];
    correction: boolean;
    statistic: number;
    pValue: number;
    dof: number;
  }[];
  populationStabilityIndex: { expected: number[]; actual: number[]; epsilon: number; psi: number }[];
  jensenShannon: { p: number[]; q: number[]; distance: number }[];
  wasserstein: { a: number[]; b: number[]; distance: number }[];
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/ml/stats/drift-statistics.json', import.meta.url), 'utf8'),
) as Fixture;

/** value_i = ((i + 1) · multiplier) mod 1 · scale: the same doubles in Python and JavaScript. */
function fromRecipe(recipe: Recipe): Float64Array {
  return Float64Array.from(
    { length: recipe.size },
    (_, index) => (((index + 1) * recipe.multiplier) % 1) * recipe.scale,
  );
}

function expectRelative(actual: number, expected: number, relative: number, absolute = 0): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.max(relative * Math.abs(expected), absolute));
}

describe('two-sample Kolmogorov–Smirnov test', () => {
  for (const testCase of fixture.kolmogorovSmirnov) {
    it(`matches scipy.stats.ks_2samp: ${testCase.label}`, () => {
      const a = testCase.a ?? fromRecipe(testCase.recipeA!);
      const b = testCase.b ?? fromRecipe(testCase.recipeB!);
      const result = kolmogorovSmirnovTwoSample(a, b, { method: testCase.method });
      expectRelative(result.statistic, testCase.statistic, 1e-12);
      expectRelative(result.pValue, testCase.pValue, 1e-9, 1e-300);
    });
  }

  it('answers a NaN p-value, as SciPy does, for one value against one with the asymptotic method', () => {
    // scipy.stats.ks_2samp([1.0], [2.0], method='asymp') -> statistic 1.0, pvalue nan
    const result = kolmogorovSmirnovTwoSample([1], [2], { method: 'asymp' });
    expect(result.statistic).toBe(1);
    expect(result.pValue).toBeNaN();
    // scipy.stats.ks_2samp([1.0], [2.0, 3.0], method='asymp') -> statistic 1.0, pvalue 0.0
    expect(kolmogorovSmirnovTwoSample([1], [2, 3], { method: 'asymp' }).pValue).toBe(0);
  });

  it('refuses empty samples and NaN with a message that says what to do', () => {
    expect(() => kolmogorovSmirnovTwoSample([], [1, 2])).toThrow(StatisticsInputError);
    expect(() => kolmogorovSmirnovTwoSample([1, Number.NaN], [1, 2])).toThrow(/drop missing values/);
  });
});

describe('chi-square tests', () => {
  for (const [index, testCase] of fixture.chiSquareGoodnessOfFit.entries()) {
    it(`goodness of fit matches scipy.stats.chisquare (case ${index})`, () => {
      const result = chiSquareTest(testCase.observed, testCase.expected, { ddof: testCase.ddof });
      expectRelative(result.statistic, testCase.statistic, 1e-12);
      expectRelative(result.pValue, testCase.pValue, 1e-9);
    });
  }

  for (const [index, testCase] of fixture.chiSquareContingency.entries()) {
    it(`contingency matches scipy.stats.chi2_contingency (case ${index}, correction ${testCase.correction})`, () => {
      const result = chiSquareContingency(testCase.table, { correction: testCase.correction });
      expect(result.degreesOfFreedom).toBe(testCase.dof);
      expectRelative(result.statistic, testCase.statistic, 1e-12);
      expectRelative(result.pValue, testCase.pValue, 1e-9);
    });
  }

  it('treats a table with one nontrivial dimension as SciPy does: statistic 0, p-value 1', () => {
    expect(chiSquareContingency([[4, 9, 2]])).toMatchObject({ statistic: 0, pValue: 1, degreesOfFreedom: 0 });
  });

  it('rejects mismatched totals and zero expectations instead of answering NaN or Infinity', () => {
    expect(() => chiSquareTest([10, 10], [5, 5])).toThrow(/scale the expected counts/);
    expect(() =>
      chiSquareContingency([
        [0, 3],
        [0, 4],
      ]),
    ).toThrow(/expected frequency/);
  });
});

describe('distribution distances', () => {
  it('PSI matches the explicit formula, with 1e-4 standing in for empty bins', () => {
    for (const testCase of fixture.populationStabilityIndex) {
      const psi = populationStabilityIndex(testCase.expected, testCase.actual, { epsilon: testCase.epsilon });
      expectRelative(psi, testCase.psi, 1e-12);
    }
  });

  it('Jensen–Shannon distance matches scipy.spatial.distance.jensenshannon(base=2)', () => {
    for (const testCase of fixture.jensenShannon) {
      expectRelative(jensenShannonDistance(testCase.p, testCase.q), testCase.distance, 1e-12, 1e-15);
    }
  });

  it('Wasserstein distance matches scipy.stats.wasserstein_distance', () => {
    for (const testCase of fixture.wasserstein) {
      expectRelative(wassersteinDistance(testCase.a, testCase.b), testCase.distance, 1e-12);
    }
  });

  it('weighted Wasserstein equals the unweighted distance on repeated values', () => {
    const repeated = wassersteinDistance([1, 1, 1, 4], [2, 2, 5]);
    const weighted = wassersteinDistance([1, 4], [2, 5], { weightsA: [3, 1], weightsB: [2, 1] });
    expectRelative(weighted, repeated, 1e-15);
  });
});
