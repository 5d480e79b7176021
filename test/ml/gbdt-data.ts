/**
 * Small synthetic data sets and helpers shared by the gradient boosting tests.
 */
import {
  DEFAULT_GRADIENT_BOOSTING_PARAMS,
  type GradientBoostingData,
  type GradientBoostingFeature,
  type GradientBoostingModel,
  type GradientBoostingParams,
} from '../../ml/gbdt/index.js';
import { SeededRandom } from '../../ml/gbdt/random.js';

export function binaryParams(overrides: Partial<GradientBoostingParams> = {}): GradientBoostingParams {
  return { ...DEFAULT_GRADIENT_BOOSTING_PARAMS, loss: 'binary_logloss', classCount: 2, ...overrides };
}

export function numeric(name: string, values: ArrayLike<number>): GradientBoostingFeature {
  return { kind: 'numeric', name, values: Float64Array.from(values) };
}

export function categorical(
  name: string,
  codes: ArrayLike<number>,
  cardinality: number,
): GradientBoostingFeature {
  return { kind: 'categorical', name, codes: Int32Array.from(codes), cardinality };
}

/**
 * Binary data with a numeric feature (10% missing), a categorical one (5% missing), a noise
 * feature and a weak 0/1 flag; the log-odds depend on all but the noise. The category and the
 * flag have few bins, so they share one histogram unit.
 */
export function mixedBinaryData(rowCount: number, seed: number): GradientBoostingData {
  const random = new SeededRandom(seed);
  const x = new Float64Array(rowCount);
  const color = new Int32Array(rowCount);
  const noise = new Float64Array(rowCount);
  const flag = new Float64Array(rowCount);
  const target = new Float64Array(rowCount);
  for (let row = 0; row < rowCount; row++) {
    x[row] = random.nextFloat() < 0.1 ? NaN : random.nextFloat() * 10;
    color[row] = random.nextFloat() < 0.05 ? -1 : random.nextInt(6);
    noise[row] = random.nextFloat();
    flag[row] = random.nextInt(2);
    const logOdds =
      (Number.isNaN(x[row]) ? 1.5 : x[row] > 5 ? 1 : -1) +
      ([1, 4].includes(color[row]) ? 1.5 : -0.5) +
      0.3 * flag[row];
    target[row] = random.nextFloat() < 1 / (1 + Math.exp(-2 * logOdds)) ? 1 : 0;
  }
  return {
    // Codes 6 and 7 of the dictionary never occur, like categories seen only after training.
    features: [
      numeric('x', x),
      categorical('color', color, 8),
      numeric('noise', noise),
      numeric('flag', flag),
    ],
    target,
  };
}

/** Feature values of one row, in the form predictGradientBoostingRow takes. */
export function rowOf(features: GradientBoostingFeature[], row: number): number[] {
  return features.map((feature) => (feature.kind === 'numeric' ? feature.values[row] : feature.codes[row]));
}

/** Leaf index that a row reaches in a tree, walked independently of the library's own walker. */
export function leafOf(model: GradientBoostingModel, treeIndex: number, row: number[]): number {
  const tree = model.trees[treeIndex];
  let node = 0;
  while (tree.feature[node] >= 0) {
    const value = row[tree.feature[node]];
    const schema = model.features[tree.feature[node]];
    const categories = tree.leftCategories[node];
    let left: boolean;
    if (schema.kind === 'categorical') {
      left = schema.seenCategories.includes(value) ? categories!.includes(value) : tree.missingGoesLeft[node];
    } else {
      left = Number.isNaN(value) ? tree.missingGoesLeft[node] : value <= tree.threshold[node];
    }
    node = left ? tree.left[node] : tree.right[node];
  }
  return node;
}

export function sigmoid(score: number): number {
  return 1 / (1 + Math.exp(-score));
}
