/**
 * trainModel: the one entry point the training pipeline calls. Fits encoders on the training
 * frame, trains the chosen trainer, and returns a model document.
 */
import type { Frame } from '../frame/frame.js';
import { fitFeatureEncoders } from '../encoders/feature-set.js';
import type { Imputation } from '../encoders/numeric.js';
import type { GradientBoostingCheckpoint } from '../gbdt/index.js';
import type { LinearCheckpoint } from '../linear/lbfgs-training.js';
import { type TrainerHooks, TrainingInputError } from '../training.js';
import {
  MODEL_FORMAT,
  type LearnedParameters,
  type ModelDocument,
  type TaskType,
  type TrainingSummary,
} from './document.js';
import { trainGradientBoosting } from './train-gradient-boosting.js';
import { trainLinearRegression, trainLogisticRegression } from './train-linear.js';
import { resolveParams, TRAINER_NAMES, type TrainerName } from './trainer-params.js';
import { inputSchemaFor, prepareTarget, resolveFeatureNames } from './training-data.js';

/** A checkpoint from either trainer family; each carries its own `format`. */
export type ModelCheckpoint = LinearCheckpoint | GradientBoostingCheckpoint;

export interface TrainModelRequest {
  readonly frame: Frame;
  readonly target: string;
  /** Default: every column of the frame but the target. */
  readonly features?: readonly string[];
  /** Default: inferred (text and boolean targets classify, numbers regress). */
  readonly task?: TaskType;
  readonly trainer: TrainerName;
  /** Trainer parameters (see trainer-params.ts); omitted ones take their defaults. */
  readonly params?: Readonly<Record<string, unknown>>;
  /** Scored after every iteration for progress (and early stopping in gradient boosting). */
  readonly validationFrame?: Frame;
  /** Seeds every random choice; the same seed and data give a byte-identical document. Default 0. */
  readonly seed?: number;
  readonly hooks?: TrainerHooks<ModelCheckpoint>;
}

export function trainModel(request: TrainModelRequest): ModelDocument {
  const { frame, trainer } = request;
  if (!TRAINER_NAMES.includes(trainer)) {
    throw new TrainingInputError(
      `unknown trainer ${JSON.stringify(trainer)}; use one of ${TRAINER_NAMES.join(', ')}`,
    );
  }
  if (frame.rowCount === 0) throw new TrainingInputError('the training frame has no rows');
  const seed = request.seed ?? 0;
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new TrainingInputError(`seed must be a non-negative integer, got ${seed}`);
  const givenParams = request.params ?? {};
  const params = resolveParams(
    trainer,
    Object.keys(givenParams),
    (name) => givenParams[name],
    (name, problem) => new TrainingInputError(`${trainer} parameter ${name} ${problem}`),
    false,
  );
  if (givenParams.C !== undefined && givenParams.C !== null && givenParams.l2 !== undefined) {
    throw new TrainingInputError(`${trainer} takes l2 or C (l2 = 1 / (C * rows)), not both`);
  }
  const featureNames = resolveFeatureNames(frame, request.target, request.features);
  const trainerClassifies = trainer === 'gradient_boosting' ? undefined : trainer === 'logistic_regression';
  const target = prepareTarget(frame, request.target, request.task, trainerClassifies);
  checkTrainerFitsTask(trainer, target.task);
  const encoders = fitFeatureEncoders(frame, featureNames, {
    imputation: params.imputation as Imputation,
    maxCategories: params.maxCategories as number,
    minCategoryCount: params.minCategoryCount as number,
  });
  const inputSchema = inputSchemaFor(frame, encoders);
  const hooks = hooksFor(trainer, request.hooks ?? {});
  const threads = readThreads(givenParams.threads);
  let learned: LearnedParameters;
  let summary: Omit<TrainingSummary, 'seed' | 'rowCount' | 'validationRowCount'>;
  if (trainer === 'gradient_boosting') {
    const fit = trainGradientBoosting({
      frame,
      encoders,
      target,
      params,
      seed,
      threads,
      validationFrame: request.validationFrame,
      timestampFeatures: new Set(
        inputSchema.filter((input) => input.type === 'timestamp').map((input) => input.name),
      ),
      hooks: hooks as TrainerHooks<GradientBoostingCheckpoint>,
    });
    learned = { kind: 'gradient_boosting', model: fit.model };
    summary = { iterations: fit.model.bestIteration, loss: fit.loss, stopReason: fit.stopReason };
  } else {
    const job = {
      frame,
      encoders,
      target,
      params,
      threads,
      validationFrame: request.validationFrame,
      hooks: hooks as TrainerHooks<LinearCheckpoint>,
    };
    const fit = trainer === 'logistic_regression' ? trainLogisticRegression(job) : trainLinearRegression(job);
    learned = fit.learned;
    summary = { iterations: fit.iterations, loss: fit.loss, stopReason: fit.stopReason };
  }
  return {
    format: MODEL_FORMAT,
    task: target.task,
    target: target.description,
    features: featureNames,
    inputSchema,
    encoders,
    trainer: { name: trainer, params },
    learned,
    training: {
      seed,
      rowCount: frame.rowCount,
      validationRowCount: request.validationFrame?.rowCount ?? 0,
      ...summary,
    },
  };
}

/** `threads` changes how fast a model trains, never the model: it is checked here, not stored. */
function readThreads(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 64) {
    throw new TrainingInputError(
      `parameter threads must be an integer from 1 to 64, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function checkTrainerFitsTask(trainer: TrainerName, task: TaskType): void {
  if (trainer === 'logistic_regression' && task === 'regression') {
    throw new TrainingInputError(
      'logistic_regression classifies: the target is numeric (use linear_regression, or set task)',
    );
  }
  if (trainer === 'linear_regression' && task !== 'regression') {
    throw new TrainingInputError(
      `linear_regression needs a numeric target; this one has classes (task ${task}): use logistic_regression`,
    );
  }
}

/** Refuses a checkpoint made by the other trainer family before any work starts. */
function hooksFor(trainer: TrainerName, hooks: TrainerHooks<ModelCheckpoint>): TrainerHooks<ModelCheckpoint> {
  const resume = hooks.resumeFrom;
  if (resume === undefined) return hooks;
  const expected =
    trainer === 'gradient_boosting' ? 'mlops.gbdt-checkpoint/v1' : 'mlops.linear-checkpoint/v1';
  if (resume === null || typeof resume !== 'object' || resume.format !== expected) {
    throw new TrainingInputError(
      `the checkpoint to resume from was not made by ${trainer}; start without resumeFrom`,
    );
  }
  return hooks;
}
