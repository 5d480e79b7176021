/**
 * The boosting loop: each round fits one tree per output to the gradients of the current scores,
 * reports progress, checkpoints, and stops early when the validation loss stops improving.
 */
import { TrainingCancelledError, type TrainerHooks } from '../training.js';
import { BoostingRun, schemaOf } from './boosting-run.js';
import { fromCheckpoint, initialState, toCheckpoint, type BoostingState } from './boosting-state.js';
import { computeBaseScores, computeLoss } from './losses.js';
import { checkTrainingInput } from './training-input.js';
import {
  outputCountFor,
  type GradientBoostingCheckpoint,
  type GradientBoostingData,
  type GradientBoostingFeatureSchema,
  type GradientBoostingModel,
  type GradientBoostingParams,
} from './types.js';

export interface FitOptions {
  validation?: GradientBoostingData;
  hooks?: TrainerHooks<GradientBoostingCheckpoint>;
}

export function fitGradientBoosting(
  train: GradientBoostingData,
  params: GradientBoostingParams,
  options: FitOptions = {},
): GradientBoostingModel {
  const { validation, hooks = {} } = options;
  const stored = checkTrainingInput(train, params, validation);
  const rowCount = train.target.length;
  const outputCount = outputCountFor(stored.classCount);
  const schema = schemaOf(train.features);
  const baseScores = computeBaseScores(stored.loss, stored.classCount, train.target, train.weights);
  const state: BoostingState = hooks.resumeFrom
    ? fromCheckpoint(hooks.resumeFrom, stored, rowCount, schema, outputCount)
    : initialState(stored);

  const run = new BoostingRun(train, validation, stored, params.threads, baseScores, schema);
  try {
    run.replay(state.trees);
    const stopping = stored.earlyStoppingRounds;
    for (; state.round < stored.nEstimators; state.round++) {
      if (stopping !== null && state.round - state.bestRound >= stopping) break;
      if (hooks.shouldStop?.()) {
        throw new TrainingCancelledError(`training stopped on request after ${state.round} rounds`);
      }
      state.trees.push(...run.runRound(state));
      finishRound(state, stored, validation, run, hooks, () =>
        toCheckpoint({ ...state, round: state.round + 1 }, stored, rowCount, schema.length, baseScores),
      );
    }
  } finally {
    run.close();
  }
  return assembleModel(state, stored, schema, baseScores, validation !== undefined);
}

function finishRound(
  state: BoostingState,
  params: GradientBoostingParams,
  validation: GradientBoostingData | undefined,
  run: BoostingRun,
  hooks: TrainerHooks<GradientBoostingCheckpoint>,
  checkpoint: () => GradientBoostingCheckpoint,
): void {
  const completed = state.round + 1;
  let validationLoss: number | undefined;
  if (validation && run.validationScores) {
    const { loss, classCount } = params;
    validationLoss = computeLoss(
      loss,
      classCount,
      validation.target,
      validation.weights,
      run.validationScores,
    );
    if (state.bestValidationLoss === null || validationLoss < state.bestValidationLoss) {
      state.bestValidationLoss = validationLoss;
      state.bestRound = completed;
    }
  }
  if (hooks.onProgress) {
    const loss = run.trainingLoss();
    hooks.onProgress(
      validationLoss === undefined
        ? { iteration: completed, loss }
        : {
            iteration: completed,
            loss,
            validationMetric: validationLoss,
            validationMetricName: params.loss === 'squared_error' ? 'mean_squared_error' : 'log_loss',
          },
    );
  }
  const every = hooks.checkpointEvery;
  if (hooks.onCheckpoint && every !== undefined && every > 0 && completed % every === 0) {
    hooks.onCheckpoint(checkpoint());
  }
}

function assembleModel(
  state: BoostingState,
  params: GradientBoostingParams,
  features: GradientBoostingFeatureSchema[],
  baseScores: number[],
  hasValidation: boolean,
): GradientBoostingModel {
  const outputCount = outputCountFor(params.classCount);
  const keptRounds = params.earlyStoppingRounds !== null && hasValidation ? state.bestRound : state.round;
  const trees = state.trees.slice(0, keptRounds * outputCount);
  const gains = new Array<number>(features.length).fill(0);
  for (const tree of trees) {
    tree.feature.forEach((feature, node) => {
      if (feature >= 0) gains[feature] += tree.gain[node];
    });
  }
  const total = gains.reduce((sum, gain) => sum + gain, 0);
  return {
    format: 'mlops.gbdt/v1',
    params,
    features,
    baseScores,
    trees,
    bestIteration: keptRounds,
    featureImportance: gains.map((gain) => (total > 0 ? gain / total : 0)),
  };
}
