/**
 * Raw scores (margins) of a gradient boosting model, row by row (serving) or column by column
 * (batch scoring). Both add the trees to the base scores in the same order, so they agree exactly.
 */
import { addForestOutputs, compileForest, leafValue, type CompiledForest } from './compiled-forest.js';
import type { GradientBoostingFeature, GradientBoostingModel } from './types.js';

// Models are treated as immutable once scored: the flattened form is built once per model object.
const compiledModels = new WeakMap<GradientBoostingModel, CompiledForest>();

function compiledFor(model: GradientBoostingModel): CompiledForest {
  let forest = compiledModels.get(model);
  if (!forest) {
    forest = compileForest(model.trees, model.features);
    compiledModels.set(model, forest);
  }
  return forest;
}

/**
 * `row[j]` is the value (NaN when missing) or the category code (-1 when missing) of feature j.
 * Writes one margin for binary and regression models, one per class for multiclass models.
 */
export function predictGradientBoostingRow(
  model: GradientBoostingModel,
  row: ArrayLike<number>,
  out: Float64Array,
): void {
  const forest = compiledFor(model);
  const outputCount = model.baseScores.length;
  if (row.length < model.features.length) {
    throw new RangeError(
      `the row has ${row.length} values; the model reads ${model.features.length} features`,
    );
  }
  if (out.length !== outputCount) {
    throw new RangeError(`out has length ${out.length}; the model writes ${outputCount} scores per row`);
  }
  for (let output = 0; output < outputCount; output++) out[output] = model.baseScores[output];
  for (let tree = 0; tree < forest.treeCount; tree++) {
    out[tree % outputCount] += leafValue(forest, tree, row, 0);
  }
}

/** Scores every row of the given columns; `out` is row-major: rowCount x outputs. */
export function predictGradientBoostingColumns(
  model: GradientBoostingModel,
  features: GradientBoostingFeature[],
  out: Float64Array,
): void {
  const forest = compiledFor(model);
  const columns = columnsFor(model, features);
  const rowCount = columns[0].length;
  const outputCount = model.baseScores.length;
  if (out.length !== rowCount * outputCount) {
    throw new RangeError(`out has length ${out.length}; ${rowCount} rows need ${rowCount * outputCount}`);
  }
  for (let row = 0; row < rowCount; row++) {
    for (let output = 0; output < outputCount; output++)
      out[row * outputCount + output] = model.baseScores[output];
  }
  addForestOutputs(forest, 0, forest.treeCount, outputCount, 0, columns, null, rowCount, out, outputCount, 1);
}

function columnsFor(model: GradientBoostingModel, features: GradientBoostingFeature[]): ArrayLike<number>[] {
  if (features.length !== model.features.length) {
    throw new RangeError(
      `${features.length} feature columns were given; the model reads ${model.features.length}`,
    );
  }
  const columns = features.map((feature, index) => {
    const expected = model.features[index];
    if (feature.kind !== expected.kind) {
      throw new RangeError(`feature ${index} (${JSON.stringify(expected.name)}) must be ${expected.kind}`);
    }
    return feature.kind === 'numeric' ? feature.values : feature.codes;
  });
  if (columns.some((column) => column.length !== columns[0].length)) {
    throw new RangeError('feature columns differ in length');
  }
  return columns;
}
