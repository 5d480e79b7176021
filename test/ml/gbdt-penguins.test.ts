import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GRADIENT_BOOSTING_PARAMS,
  fitGradientBoosting,
  predictGradientBoostingColumns,
  type GradientBoostingData,
  type GradientBoostingFeature,
} from '../../ml/gbdt/index.js';
import { SeededRandom } from '../../ml/gbdt/random.js';

type Penguin = Record<string, string | number | null>;

const penguins = (
  JSON.parse(readFileSync('node_modules/vega-datasets/data/penguins.json', 'utf8')) as Penguin[]
).filter((penguin) => penguin.Species !== null);
const numericColumns = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'];
const categoricalColumns = ['Island', 'Sex'];
const species = [...new Set(penguins.map((penguin) => String(penguin.Species)))].sort();
// Dictionaries from the data itself; "." (a data-entry error in Sex) counts as missing.
const dictionaries = categoricalColumns.map((column) =>
  [...new Set(penguins.map((penguin) => penguin[column]))]
    .filter((value) => value !== null && value !== '.')
    .sort(),
);

function toData(rows: Penguin[]): GradientBoostingData {
  const features: GradientBoostingFeature[] = [
    ...numericColumns.map((name): GradientBoostingFeature => ({
      kind: 'numeric',
      name,
      values: Float64Array.from(rows, (row) => (typeof row[name] === 'number' ? row[name] : NaN)),
    })),
    ...categoricalColumns.map((name, index): GradientBoostingFeature => ({
      kind: 'categorical',
      name,
      codes: Int32Array.from(rows, (row) => dictionaries[index].indexOf(row[name])),
      cardinality: dictionaries[index].length,
    })),
  ];
  return { features, target: Float64Array.from(rows, (row) => species.indexOf(String(row.Species))) };
}

describe('gradient boosting on penguins', () => {
  it('classifies species with holdout accuracy of at least 0.95, missing values included', () => {
    const random = new SeededRandom(42);
    const shuffled = penguins.slice();
    for (let index = shuffled.length - 1; index > 0; index--) {
      const other = random.nextInt(index + 1);
      [shuffled[index], shuffled[other]] = [shuffled[other], shuffled[index]];
    }
    const testSize = Math.round(shuffled.length * 0.25);
    const test = toData(shuffled.slice(0, testSize));
    const train = toData(shuffled.slice(testSize));
    expect(
      train.features.some((feature) => feature.kind === 'numeric' && feature.values.some(Number.isNaN)),
    ).toBe(true);
    const model = fitGradientBoosting(train, {
      ...DEFAULT_GRADIENT_BOOSTING_PARAMS,
      loss: 'multiclass_softmax',
      classCount: species.length,
      nEstimators: 60,
      maxLeaves: 8,
      minSamplesLeaf: 5,
    });
    const scores = new Float64Array(testSize * species.length);
    predictGradientBoostingColumns(model, test.features, scores);
    let correct = 0;
    for (let row = 0; row < testSize; row++) {
      const rowScores = Array.from(scores.subarray(row * species.length, (row + 1) * species.length));
      if (rowScores.indexOf(Math.max(...rowScores)) === test.target[row]) correct++;
    }
    expect(correct / testSize).toBeGreaterThanOrEqual(0.95);
  });
});
