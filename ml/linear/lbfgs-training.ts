/**
 * L-BFGS training under the shared trainer contract: progress after every iteration, periodic
 * checkpoints holding the whole optimizer state, resume, and cooperative cancellation.
 */
import { TrainingCancelledError, type TrainerHooks, TrainingInputError } from '../training.js';
import {
  type LbfgsOptions,
  type LbfgsResult,
  type LbfgsState,
  minimizeLbfgs,
  type Objective,
} from './lbfgs.js';

export type LinearTrainerName = 'logistic_regression' | 'linear_regression';

export interface LinearCheckpoint {
  readonly format: 'mlops.linear-checkpoint/v1';
  readonly trainer: LinearTrainerName;
  /** Guards against resuming with other data or another feature layout. */
  readonly rowCount: number;
  readonly dimension: number;
  readonly state: LbfgsState;
}

/** Checkpoints every this many iterations when the caller asks for checkpoints without saying how often. */
export const DEFAULT_CHECKPOINT_EVERY = 10;

export interface LbfgsTrainingRun {
  readonly trainer: LinearTrainerName;
  readonly objective: Objective;
  readonly dimension: number;
  readonly rowCount: number;
  readonly options: LbfgsOptions;
  readonly hooks: TrainerHooks<LinearCheckpoint>;
  /** The validation metric at a point, when a validation set was given. */
  readonly validate?: (point: Float64Array) => { name: string; value: number };
}

export function runLbfgsTraining(run: LbfgsTrainingRun): LbfgsResult {
  const { hooks } = run;
  const resumeFrom = hooks.resumeFrom === undefined ? undefined : checkResumable(run, hooks.resumeFrom);
  const checkpointEvery = hooks.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
  return minimizeLbfgs(run.objective, new Float64Array(run.dimension), run.options, {
    resumeFrom,
    afterIteration: ({ iteration, loss, point, snapshot }) => {
      if (hooks.onProgress) {
        const metric = run.validate?.(point);
        hooks.onProgress(
          metric === undefined
            ? { iteration, loss }
            : { iteration, loss, validationMetric: metric.value, validationMetricName: metric.name },
        );
      }
      if (hooks.onCheckpoint && checkpointEvery > 0 && iteration % checkpointEvery === 0) {
        hooks.onCheckpoint({
          format: 'mlops.linear-checkpoint/v1',
          trainer: run.trainer,
          rowCount: run.rowCount,
          dimension: run.dimension,
          state: snapshot(),
        });
      }
      if (hooks.shouldStop?.())
        throw new TrainingCancelledError(
          `${run.trainer} training was cancelled after iteration ${iteration}`,
        );
    },
  });
}

function checkResumable(run: LbfgsTrainingRun, checkpoint: LinearCheckpoint): LbfgsState {
  const valid =
    checkpoint !== null &&
    typeof checkpoint === 'object' &&
    checkpoint.format === 'mlops.linear-checkpoint/v1' &&
    checkpoint.trainer === run.trainer &&
    checkpoint.rowCount === run.rowCount &&
    checkpoint.dimension === run.dimension &&
    isVector(checkpoint.state?.point, run.dimension) &&
    isVector(checkpoint.state.gradient, run.dimension) &&
    Array.isArray(checkpoint.state.steps) &&
    Array.isArray(checkpoint.state.gradientChanges) &&
    checkpoint.state.steps.length === checkpoint.state.gradientChanges.length &&
    checkpoint.state.steps.every((step) => isVector(step, run.dimension)) &&
    checkpoint.state.gradientChanges.every((change) => isVector(change, run.dimension));
  if (!valid) {
    throw new TrainingInputError(
      `the checkpoint does not belong to this ${run.trainer} training (${run.rowCount} rows, ${run.dimension} parameters); ` +
        'resume only with the data and parameters that produced it, or start without resumeFrom',
    );
  }
  return checkpoint.state;
}

function isVector(value: unknown, length: number): boolean {
  return (
    Array.isArray(value) &&
    value.length === length &&
    value.every((entry) => typeof entry === 'number' && Number.isFinite(entry))
  );
}
