import { readFile } from 'node:fs/promises';
import { resolveFeatureColumns, type TrainingRecipe } from '../../contracts/pipeline-stages.js';
import { loadPartFrame, type SplitDefinition, type SplitPart } from '../../data/index.js';
import { datasetColumns } from '../../db/queries/datasets.js';
import type { Frame } from '../../ml/frame/frame.js';
import type { ActivityDependencies } from '../dependencies.js';
import { localCopy } from '../local-files.js';

/** The feature columns of a recipe, as the split stage resolved them (older recipes: from the dataset's schema). */
export async function featureColumns(deps: ActivityDependencies, recipe: TrainingRecipe): Promise<string[]> {
  if (recipe.featureColumns) return [...recipe.featureColumns];
  if (recipe.features.length > 0) return [...recipe.features];
  return resolveFeatureColumns(await datasetColumns(deps.db, recipe.dataset.datasetVersionId), recipe);
}

/** Local copies of a recipe's snapshot and split definition (checked against their sha256). */
export async function recipeInputs(deps: ActivityDependencies, recipe: TrainingRecipe) {
  const snapshotPath = await localCopy(deps, recipe.dataset, '.parquet');
  const splitPath = await localCopy(deps, recipe.split, '.json');
  const definition = JSON.parse(await readFile(splitPath, 'utf8')) as SplitDefinition;
  return { snapshotPath, definition };
}

/**
 * One part of the split as a frame of the given columns; a classification target is read as
 * categories so its labels are text, as the model's classes are.
 */
export async function loadRecipePart(
  inputs: { snapshotPath: string; definition: SplitDefinition },
  recipe: TrainingRecipe,
  part: SplitPart,
  columns: readonly string[],
): Promise<Frame> {
  const target =
    recipe.task === 'regression' ? { numeric: [recipe.target] } : { categorical: [recipe.target] };
  return loadPartFrame({
    ...inputs,
    part,
    columns: [...new Set([...columns, recipe.target])],
    frame: target,
  });
}
