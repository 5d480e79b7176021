import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { ArtifactRef } from '../../contracts/artifacts.js';
import { serializeModelDocument, type ModelCheckpoint } from '../../ml/model/index.js';
import { trainModelInWorker } from '../../ml/runner/index.js';
import type { TrainingProgress } from '../../ml/training.js';
import { artifactKeys } from '../../storage/artifact-store.js';
import type { ActivityDependencies } from '../dependencies.js';
import { featureColumns, loadRecipePart, recipeInputs } from './frames.js';
import { withHeartbeat } from '../heartbeat.js';
import { storeJsonArtifact } from '../json-artifacts.js';
import type { TrainInput, TrainOutput } from '../../contracts/pipeline-stages.js';
import { COMMAND_TRAINER, IMPORTED_MODEL } from '../../spec/types.js';

/** What training heartbeats: its progress and the last stored checkpoint, read back on a retry. */
interface TrainingHeartbeat {
  readonly iteration: number;
  readonly loss: number | null;
  readonly validationMetric: number | null;
  readonly checkpoint: ArtifactRef | null;
}

/** A stored checkpoint: the trainer's own state plus the curve so far, so a resumed run's curve is whole. */
interface StoredCheckpoint {
  readonly checkpoint: ModelCheckpoint;
  readonly curve: TrainingProgress[];
}

/** What a built-in training stores as its stage's outputs (the curve and resume point are internal). */
export type BuiltInTrainingOutputs = Omit<TrainOutput, 'cacheHit'> & {
  curve: ArtifactRef;
  resumedFromIteration: number | null;
  /**
   * On a retry, the iterations the lost attempt had reached (its last heartbeat) that this one
   * trained again: what the checkpoint did not save. Null on a first attempt.
   */
  roundsRedone: number | null;
};

/**
 * Trains a built-in trainer on the recipe's train part (validation part for progress and early
 * stopping) in a worker thread, so the activity keeps heartbeating and hears cancellation. Every
 * MLOPS_CHECKPOINT_INTERVAL a checkpoint goes to S3 and into the heartbeat; a retry after a lost
 * worker resumes from it instead of from iteration 0.
 */
export async function trainBuiltIn(
  deps: ActivityDependencies,
  input: TrainInput,
): Promise<BuiltInTrainingOutputs> {
  const { recipe } = input;
  const trainer = recipe.trainer;
  if (trainer === COMMAND_TRAINER || trainer === IMPORTED_MODEL)
    throw new Error(`${trainer} is not one of the built-in trainers`);
  const context = Context.current();
  const previous = context.info.heartbeatDetails as TrainingHeartbeat | undefined;
  let progress: TrainingHeartbeat = {
    iteration: 0,
    loss: null,
    validationMetric: null,
    checkpoint: previous?.checkpoint ?? null,
  };
  return withHeartbeat(
    async () => {
      const inputs = await recipeInputs(deps, recipe);
      const features = await featureColumns(deps, recipe);
      const [frame, validationFrame] = await Promise.all([
        loadRecipePart(inputs, recipe, 'train', features),
        loadRecipePart(inputs, recipe, 'validation', features),
      ]);
      const resumed = previous?.checkpoint ? await readCheckpoint(deps, previous.checkpoint) : undefined;
      const curve: TrainingProgress[] = [...(resumed?.curve ?? [])];
      let uploading = false;
      let storing = Promise.resolve();
      const document = await trainModelInWorker(
        {
          frame,
          validationFrame: validationFrame.rowCount > 0 ? validationFrame : undefined,
          target: recipe.target,
          features,
          task: recipe.task,
          trainer,
          params: recipe.params,
          seed: recipe.seed,
        },
        {
          signal: context.cancellationSignal,
          resumeFrom: resumed?.checkpoint,
          checkpointEvery: recipe.trainer === 'gradient_boosting' ? 10 : 5,
          checkpointIntervalMs: deps.checkpointIntervalMs,
          onProgress: (point) => {
            curve.push(point);
            progress = {
              ...progress,
              iteration: point.iteration,
              loss: point.loss,
              validationMetric: point.validationMetric ?? null,
            };
          },
          onCheckpoint: (checkpoint) => {
            // One upload at a time: while S3 is slow, newer checkpoints replace rather than queue.
            if (uploading) return;
            uploading = true;
            const snapshot: StoredCheckpoint = { checkpoint, curve: [...curve] };
            storing = storing
              .then(async () => {
                const stored = await deps.artifacts.putContentAddressed(
                  artifactKeys.checkpoint(input.pipelineName),
                  '.json',
                  JSON.stringify(snapshot),
                );
                progress = {
                  ...progress,
                  checkpoint: { uri: stored.uri, sha256: stored.sha256, bytes: stored.bytes },
                };
                context.heartbeat(progress);
              })
              .finally(() => (uploading = false));
          },
        },
      );
      await storing;
      const model = await storeJsonArtifact(
        deps,
        artifactKeys.modelFile(input.pipelineName),
        'model',
        serializeModelDocument(document),
      );
      const curveStored = await deps.artifacts.putContentAddressed(
        artifactKeys.trainingCurve(input.pipelineName),
        '.json',
        JSON.stringify(curve),
        { contentType: 'application/json' },
      );
      const last = curve.at(-1);
      const resumedFromIteration = resumed ? (resumed.curve.at(-1)?.iteration ?? 0) : null;
      const outputs: BuiltInTrainingOutputs = {
        model,
        curve: { uri: curveStored.uri, sha256: curveStored.sha256, bytes: curveStored.bytes },
        iterations: document.training.iterations,
        finalLoss: document.training.loss,
        validationMetric: last?.validationMetric ?? null,
        validationMetricName: last?.validationMetricName ?? null,
        resumedFromIteration,
        roundsRedone: previous ? Math.max(0, previous.iteration - (resumedFromIteration ?? 0)) : null,
      };
      return outputs;
    },
    () => progress,
  );
}

async function readCheckpoint(
  deps: ActivityDependencies,
  ref: ArtifactRef,
): Promise<StoredCheckpoint | undefined> {
  try {
    const bytes = await deps.artifacts.getBuffer(deps.artifacts.keyOf(ref.uri), 512 * 1024 * 1024);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    // Rewritten in S3 since the heartbeat recorded it: resuming could plant anything in the model.
    if (sha256 !== ref.sha256)
      throw new Error(`its sha256 is ${sha256}, not the ${ref.sha256} recorded when it was stored`);
    return JSON.parse(bytes.toString('utf8')) as StoredCheckpoint;
  } catch (error) {
    // A checkpoint that cannot be read costs the progress it held, not the run.
    deps.log.warn(
      { checkpoint: ref.uri, error: (error as Error).message },
      'checkpoint unreadable; training from the start',
    );
    return undefined;
  }
}
