import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GRADIENT_BOOSTING_PARAMS,
  fitGradientBoosting,
  predictGradientBoostingColumns,
  predictGradientBoostingRow,
  type GradientBoostingData,
  type GradientBoostingModel,
} from '../../ml/gbdt/index.js';
import { SeededRandom } from '../../ml/gbdt/random.js';
import { binaryParams, categorical, leafOf, mixedBinaryData, numeric, rowOf, sigmoid } from './gbdt-data.js';

function scoreRows(model: GradientBoostingModel, data: GradientBoostingData): Float64Array {
  const outputs = model.baseScores.length;
  const scores = new Float64Array(data.target.length * outputs);
  predictGradientBoostingColumns(model, data.features, scores);
  return scores;
}

function binaryAccuracy(model: GradientBoostingModel, data: GradientBoostingData): number {
  const scores = scoreRows(model, data);
  let correct = 0;
  scores.forEach((score, row) => {
    if ((score > 0 ? 1 : 0) === data.target[row]) correct++;
  });
  return correct / scores.length;
}

describe('gradient boosting', () => {
  it('learns a step function and places the split at the step', () => {
    const random = new SeededRandom(1);
    const x = Array.from({ length: 2000 }, () => random.nextFloat());
    const data = {
      features: [numeric('x', x)],
      target: Float64Array.from(x, (value) => (value > 0.3 ? 2 : -1)),
    };
    const model = fitGradientBoosting(data, {
      ...DEFAULT_GRADIENT_BOOSTING_PARAMS,
      loss: 'squared_error',
      classCount: 1,
      nEstimators: 60,
      learningRate: 0.3,
      maxLeaves: 2,
    });
    expect(model.trees[0].threshold[0]).toBeCloseTo(0.3, 2);
    const scores = scoreRows(model, data);
    scores.forEach((score, row) => expect(Math.abs(score - data.target[row])).toBeLessThan(0.01));
  });

  it('needs depth 2 for XOR: additive stumps cannot separate it, depth-2 trees do', () => {
    // Unequal cell sizes give the first split a positive gain; an additive model can get at most
    // three of the four cells right, so it misses at least the smallest one (20% of the rows).
    const cells = [
      [0, 0, 300],
      [0, 1, 250],
      [1, 0, 250],
      [1, 1, 200],
    ];
    const a = cells.flatMap(([x, , count]) => new Array<number>(count).fill(x));
    const b = cells.flatMap(([, y, count]) => new Array<number>(count).fill(y));
    const target = Float64Array.from(a, (value, row) => value ^ b[row]);
    const data = { features: [numeric('a', a), numeric('b', b)], target };
    const settings = { growth: 'depthwise' as const, nEstimators: 30, learningRate: 0.5, maxLeaves: 4 };
    const stumps = fitGradientBoosting(data, binaryParams({ ...settings, maxDepth: 1 }));
    const depthTwo = fitGradientBoosting(data, binaryParams({ ...settings, maxDepth: 2 }));
    expect(binaryAccuracy(stumps, data)).toBeLessThanOrEqual(0.8);
    expect(binaryAccuracy(depthTwo, data)).toBe(1);
  });

  it('splits a categorical feature by category set where a numeric split on the codes cannot', () => {
    const random = new SeededRandom(3);
    const codes = Array.from({ length: 3000 }, () => random.nextInt(10));
    const target = Float64Array.from(codes, (code) => ([1, 4, 7].includes(code) ? 1 : 0));
    const oneStump = binaryParams({ nEstimators: 1, learningRate: 1, maxLeaves: 2 });
    const asCategory = fitGradientBoosting({ features: [categorical('c', codes, 10)], target }, oneStump);
    const asNumber = fitGradientBoosting({ features: [numeric('c', codes)], target }, oneStump);
    expect(asCategory.trees[0].leftCategories[0]).toEqual([1, 4, 7]);
    const categoryAccuracy = binaryAccuracy(asCategory, { features: [categorical('c', codes, 10)], target });
    const numberAccuracy = binaryAccuracy(asNumber, { features: [numeric('c', codes)], target });
    expect(categoryAccuracy).toBe(1);
    expect(numberAccuracy).toBeLessThan(0.8);
    expect(asCategory.trees[0].gain[0]).toBeGreaterThan(asNumber.trees[0].gain[0]);
  });

  it('shares one bin among the rarest categories past maxBins and still scores every code', () => {
    // 300 distinct codes spread over a dictionary of 20,000 (large bitsets become code lists).
    const random = new SeededRandom(10);
    const groups = Array.from({ length: 6000 }, () =>
      Math.min(299, Math.floor(random.nextFloat() ** 2 * 300)),
    );
    const codes = groups.map((group) => group * 66 + 7);
    const target = Float64Array.from(groups, (group) => (group % 3 === 0 ? 1 : 0));
    const data = { features: [categorical('airport', codes, 20_000)], target };
    const model = fitGradientBoosting(
      data,
      binaryParams({ nEstimators: 40, maxBins: 64, minSamplesLeaf: 5 }),
    );
    // Low groups are the most frequent: among the 63 codes with bins of their own, learned exactly.
    const frequent = groups.map((group, row) => (group < 20 ? row : -1)).filter((row) => row >= 0);
    const scores = scoreRows(model, data);
    const correct = frequent.filter((row) => (scores[row] > 0 ? 1 : 0) === target[row]).length;
    expect(correct / frequent.length).toBe(1);
    const listed = model.trees.flatMap((tree) => tree.leftCategories.flatMap((left) => left ?? []));
    expect(Math.max(...listed)).toBeGreaterThan(8192);
    const out = new Float64Array(1);
    for (const row of [0, 1, 2, 3, 4, 5]) {
      predictGradientBoostingRow(model, [codes[row]], out);
      expect(out[0]).toBe(scores[row]);
    }
  });

  it('learns where missing values go and routes unseen categories like missing ones', () => {
    const data = mixedBinaryData(4000, 4);
    const model = fitGradientBoosting(data, binaryParams({ nEstimators: 40 }));
    const probabilityWith = (x: number, color: number): number => {
      const out = new Float64Array(1);
      predictGradientBoostingRow(model, [x, color, 0.5, 0], out);
      return sigmoid(out[0]);
    };
    // Missing x pushes the log-odds up like x > 5 does (the data gives it +1.5 against +1).
    expect(probabilityWith(NaN, 0)).toBeGreaterThan(probabilityWith(2, 0) + 0.3);
    expect(probabilityWith(NaN, 0)).toBeGreaterThan(probabilityWith(8, 0));
    const out = new Float64Array(1);
    const missing = new Float64Array(1);
    predictGradientBoostingRow(model, [3, -1, 0.5, 0], missing);
    for (const unseen of [6, 7, 99, 2.5, NaN]) {
      predictGradientBoostingRow(model, [3, unseen, 0.5, 0], out);
      expect(out[0]).toBe(missing[0]);
    }
  });

  it('sends missing values to the larger child when training had none, never giving NaN', () => {
    const random = new SeededRandom(5);
    const x = Array.from({ length: 500 }, () => random.nextFloat());
    const target = Float64Array.from(x, (value) => (value < 0.8 ? 1 : 0));
    const model = fitGradientBoosting(
      { features: [numeric('x', x)], target },
      binaryParams({ nEstimators: 1, maxLeaves: 2 }),
    );
    expect(model.trees[0].missingGoesLeft[0]).toBe(true);
    const out = new Float64Array(1);
    predictGradientBoostingRow(model, [NaN], out);
    expect(Number.isFinite(out[0])).toBe(true);
  });

  it('fits multiclass softmax with one tree per class and round', () => {
    const random = new SeededRandom(6);
    const x = Array.from({ length: 900 }, (_, row) => (row % 3) * 2 + random.nextFloat());
    const target = Float64Array.from(x, (_, row) => row % 3);
    const model = fitGradientBoosting(
      { features: [numeric('x', x)], target },
      { ...DEFAULT_GRADIENT_BOOSTING_PARAMS, loss: 'multiclass_softmax', classCount: 3, nEstimators: 20 },
    );
    expect(model.trees).toHaveLength(60);
    const scores = new Float64Array(900 * 3);
    predictGradientBoostingColumns(model, [numeric('x', x)], scores);
    target.forEach((label, row) => {
      const rowScores = Array.from(scores.subarray(row * 3, row * 3 + 3));
      expect(rowScores.indexOf(Math.max(...rowScores))).toBe(label);
    });
  });

  it('respects maxDepth, maxLeaves and minSamplesLeaf in both growth modes', () => {
    const data = mixedBinaryData(3000, 7);
    for (const growth of ['leafwise', 'depthwise'] as const) {
      const model = fitGradientBoosting(
        data,
        binaryParams({ growth, nEstimators: 5, maxLeaves: 6, maxDepth: 3, minSamplesLeaf: 150 }),
      );
      model.trees.forEach((tree, treeIndex) => {
        const depth = new Array<number>(tree.feature.length).fill(0);
        tree.feature.forEach((feature, node) => {
          if (feature < 0) return;
          depth[tree.left[node]] = depth[node] + 1;
          depth[tree.right[node]] = depth[node] + 1;
        });
        expect(Math.max(...depth)).toBeLessThanOrEqual(3);
        expect(tree.feature.filter((feature) => feature < 0).length).toBeLessThanOrEqual(6);
        const rowsPerLeaf = new Map<number, number>();
        for (let row = 0; row < data.target.length; row++) {
          const leaf = leafOf(model, treeIndex, rowOf(data.features, row));
          rowsPerLeaf.set(leaf, (rowsPerLeaf.get(leaf) ?? 0) + 1);
        }
        for (const count of rowsPerLeaf.values()) expect(count).toBeGreaterThanOrEqual(150);
      });
    }
  });

  it('shrinks leaf values with L2 and ranks the informative features first by gain', () => {
    const data = mixedBinaryData(3000, 8);
    const largestLeaf = (l2: number): number => {
      const model = fitGradientBoosting(data, binaryParams({ nEstimators: 5, l2 }));
      return Math.max(...model.trees.flatMap((tree) => tree.value.map(Math.abs)));
    };
    expect(largestLeaf(1000)).toBeLessThan(largestLeaf(0) / 2);
    const model = fitGradientBoosting(data, binaryParams({ nEstimators: 30 }));
    const importance = model.featureImportance;
    expect(importance.reduce((sum, value) => sum + value, 0)).toBeCloseTo(1, 12);
    expect(importance[2]).toBeLessThan(importance[0]);
    expect(importance[2]).toBeLessThan(importance[1]);
  });

  it('scores row by row exactly as column by column', () => {
    const data = mixedBinaryData(2000, 9);
    const binary = fitGradientBoosting(
      data,
      binaryParams({ nEstimators: 25, rowSubsample: 0.7, featureSubsample: 0.7 }),
    );
    const classes = Float64Array.from(data.target, (label, row) => (label + row) % 3);
    const multiclass = fitGradientBoosting(
      { ...data, target: classes },
      { ...DEFAULT_GRADIENT_BOOSTING_PARAMS, loss: 'multiclass_softmax', classCount: 3, nEstimators: 10 },
    );
    for (const model of [binary, multiclass]) {
      const outputs = model.baseScores.length;
      const columns = scoreRows(model, data);
      const out = new Float64Array(outputs);
      for (let row = 0; row < data.target.length; row++) {
        predictGradientBoostingRow(model, rowOf(data.features, row), out);
        expect(Array.from(out)).toEqual(Array.from(columns.subarray(row * outputs, (row + 1) * outputs)));
      }
    }
  });
});
