import { readFile } from 'node:fs/promises';
import type { ArtifactRef } from '../../contracts/artifacts.js';
import type { TrainInput, TrainOutput } from '../../contracts/pipeline-stages.js';
import type { ActivityDependencies } from '../dependencies.js';
import { withHeartbeat } from '../heartbeat.js';
import { localCopy } from '../local-files.js';
import { featureColumns, recipeInputs } from '../pipeline/frames.js';
import { recipeFacts, storeOnnxModel } from './onnx-model-file.js';

/** What an import stores as its train stage's outputs: the model document and the ONNX file. */
export type ImportedModelOutputs = Omit<TrainOutput, 'cacheHit'> & { readonly onnx: ArtifactRef };

/**
 * The train stage of `mlops models import`: nothing is trained. The ONNX file (sha256 checked)
 * is bound to the dataset's features, task and classes like a command trainer's model, and stored
 * with its model document; evaluation, gates and registration then treat it like any other.
 */
export async function importOnnxModel(
  deps: ActivityDependencies,
  input: TrainInput,
  imported: ArtifactRef,
): Promise<ImportedModelOutputs> {
  const { recipe } = input;
  return withHeartbeat(async () => {
    const onnxPath = await localCopy(deps, imported, '.onnx');
    const inputs = await recipeInputs(deps, recipe);
    const features = await featureColumns(deps, recipe);
    const facts = await recipeFacts(deps, recipe, features, inputs.snapshotPath);
    const { model, onnx } = await storeOnnxModel(deps, {
      pipelineName: input.pipelineName,
      recipe,
      facts,
      onnxPath,
      bytes: await readFile(onnxPath),
      trainer: { name: 'imported', params: {} },
      training: { seed: recipe.seed, rowCount: 0, validationRowCount: 0, metrics: {} },
    });
    return {
      model,
      onnx,
      iterations: 0,
      finalLoss: null,
      validationMetric: null,
      validationMetricName: null,
    };
  });
}
