import type { ArtifactRef } from '../../contracts/artifacts.js';
import type { PipelineActivities, TrainInput, TrainOutput } from '../../contracts/pipeline-stages.js';
import { trainWithCommand, type CommandTrainingOutputs } from '../trainers/command-training.js';
import { importOnnxModel, type ImportedModelOutputs } from '../trainers/imported-model.js';
import type { ActivityDependencies } from '../dependencies.js';
import { runCachedStage, stageCacheKey } from '../stage-cache.js';
import { trainBuiltIn, type BuiltInTrainingOutputs } from './builtin-training.js';

type StoredOutputs = BuiltInTrainingOutputs | CommandTrainingOutputs | ImportedModelOutputs;

export function createTrainActivities(deps: ActivityDependencies): Pick<PipelineActivities, 'trainStage'> {
  return {
    /**
     * Trains the recipe's model: a built-in trainer in a worker thread, or the team's command
     * (docs/trainers.md) in a process of its own. Either way the activity heartbeats its progress
     * and last checkpoint, hears cancellation, and a retry resumes from the checkpoint. An
     * identical earlier training (same recipe, code and data) is reused when its files are intact.
     */
    async trainStage(input: TrainInput): Promise<TrainOutput> {
      const { recipe } = input;
      const params = {
        trainer: recipe.trainer,
        params: recipe.params,
        seed: recipe.seed,
        target: recipe.target,
        task: recipe.task,
        features: recipe.features,
        exclude: recipe.exclude,
        // By the code's hash, not its URI: the same folder packaged for two pipelines is one trainer.
        ...(recipe.command
          ? {
              command: {
                argv: recipe.command.command,
                python: recipe.command.python ?? null,
                code: recipe.command.code.sha256,
              },
            }
          : {}),
        ...(recipe.imported ? { imported: recipe.imported.sha256 } : {}),
      };
      const cacheKey = stageCacheKey({
        kind: 'train',
        codeVersion: deps.codeVersion,
        params,
        inputs: [recipe.dataset.sha256, recipe.split.sha256],
      });
      const stage = {
        pipelineRunId: input.pipelineRunId,
        stage: input.stage,
        params,
        inputs: { dataset: recipe.dataset, split: recipe.split },
        cacheKey,
      };
      const { outputs, cacheHit } = await runCachedStage<StoredOutputs>(
        deps,
        stage,
        { noCache: input.noCache, artifactsOf: storedArtifacts },
        () =>
          recipe.imported
            ? importOnnxModel(deps, input, recipe.imported)
            : recipe.command
              ? trainWithCommand(deps, input, recipe.command)
              : trainBuiltIn(deps, input),
      );
      return {
        model: outputs.model,
        iterations: outputs.iterations,
        finalLoss: outputs.finalLoss,
        validationMetric: outputs.validationMetric,
        validationMetricName: outputs.validationMetricName,
        cacheHit,
      };
    },
  };
}

/** The files a stored training names: a cached one is reused only while all of them are intact. */
function storedArtifacts(outputs: StoredOutputs): ArtifactRef[] {
  if ('log' in outputs) return [outputs.model, outputs.onnx, outputs.log];
  return 'onnx' in outputs ? [outputs.model, outputs.onnx] : [outputs.model, outputs.curve];
}
