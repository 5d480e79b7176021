import { ApplicationFailure } from '@temporalio/workflow';
import { errorTypes } from '../contracts/errors.js';
import type { DatasetVersionRef } from '../contracts/pipeline.js';
import {
  resolveFeatureColumns,
  type CommandTrainerRecipe,
  type SplitOutput,
  type TrainingRecipe,
} from '../contracts/pipeline-stages.js';
import type { ArtifactRef } from '../contracts/artifacts.js';
import { COMMAND_TRAINER, IMPORTED_MODEL, type PipelineSpec } from '../spec/types.js';

/**
 * Everything that decides the trained model, from the spec and what the split stage found: the
 * same recipe gives the same model, and a cache hit.
 */
export function trainingRecipe(
  spec: PipelineSpec,
  dataset: DatasetVersionRef,
  split: SplitOutput,
): TrainingRecipe {
  const recipe: TrainingRecipe = {
    dataset,
    split: split.split,
    target: spec.target,
    features: spec.features,
    // Sensitive columns are for fairness and the time column for splitting: not features unless listed.
    exclude: [
      ...spec.exclude,
      ...spec.pii.drop,
      ...[...spec.sensitive, ...(spec.split.timeColumn ? [spec.split.timeColumn] : [])].filter(
        (column) => !spec.features.includes(column),
      ),
    ],
    task: split.task,
    trainer: spec.train.trainer,
    params: spec.train.params,
    seed: spec.split.seed,
    ...(spec.train.trainer === COMMAND_TRAINER ? { command: commandRecipe(spec) } : {}),
    ...(spec.train.trainer === IMPORTED_MODEL ? { imported: importedModel(spec) } : {}),
  };
  return split.columns ? { ...recipe, featureColumns: resolveFeatureColumns(split.columns, recipe) } : recipe;
}

function importedModel(spec: PipelineSpec): ArtifactRef {
  if (!spec.train.imported)
    throw ApplicationFailure.create({
      ...errorTypes.invalidSpec,
      message: 'an imported model names its ONNX file: import it with `mlops models import`',
    });
  return spec.train.imported;
}

function commandRecipe(spec: PipelineSpec): CommandTrainerRecipe {
  const { command, python, timeout, code } = spec.train;
  if (!command || !code) {
    throw ApplicationFailure.create({
      ...errorTypes.invalidSpec,
      message: !command
        ? 'train.command is required with `trainer: command`'
        : "the command trainer's code was not packaged: start the run with `mlops run` (or package the spec's folder with packageTrainerCode from client/trainer-code.ts)",
    });
  }
  return { command, code, ...(python ? { python } : {}), ...(timeout ? { timeout } : {}) };
}
