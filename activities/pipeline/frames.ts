import { readFile } from 'node:fs/promises';
import { eq } from 'drizzle-orm';
import { loadPartFrame, type SplitDefinition, type SplitPart } from '../../data/index.js';
import { datasetVersions } from '../../db/schema.js';
import type { Frame } from '../../ml/frame.js';
import type { ActivityDependencies } from '../dependencies.js';
import { localCopy } from './support.js';
import type { TrainingRecipe } from './types.js';

/** The feature columns of a recipe: the spec's list, or every column but the target and the excluded ones. */
export async function featureColumns(deps: ActivityDependencies, recipe: TrainingRecipe): Promise<string[]> {
  if (recipe.features.length > 0) return [...recipe.features];
  const [row] = await deps.db
    .select({ schema: datasetVersions.schema })
    .from(datasetVersions)
    .where(eq(datasetVersions.id, recipe.dataset.datasetVersionId));
  const columns = ((row?.schema.columns ?? []) as { name: string }[]).map((column) => column.name);
  const excluded = new Set([recipe.target, ...recipe.exclude]);
  return columns.filter((column) => !excluded.has(column));
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
