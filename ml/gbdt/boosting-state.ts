/**
 * What a boosting run carries from round to round, and its checkpoint form. Raw scores are not
 * part of it: they are recomputed from the trees, adding them in the same order as training did,
 * so a resumed run continues from bit-identical scores.
 */
import { ModelDocumentError } from '../model/errors.js';
import { TrainingInputError } from '../training.js';
import { SeededRandom } from './random.js';
import { readTree } from './validate-model.js';
import type {
  GradientBoostingCheckpoint,
  GradientBoostingFeatureSchema,
  GradientBoostingParams,
  GradientBoostingTree,
} from './types.js';

export interface BoostingState {
  round: number;
  trees: GradientBoostingTree[];
  random: SeededRandom;
  /** Rounds in the best model so far (by validation loss); 0 before the first round. */
  bestRound: number;
  bestValidationLoss: number | null;
}

export function initialState(params: GradientBoostingParams): BoostingState {
  return {
    round: 0,
    trees: [],
    random: new SeededRandom(params.seed),
    bestRound: 0,
    bestValidationLoss: null,
  };
}

export function toCheckpoint(
  state: BoostingState,
  params: GradientBoostingParams,
  rowCount: number,
  featureCount: number,
  baseScores: number[],
): GradientBoostingCheckpoint {
  return {
    format: 'mlops.gbdt-checkpoint/v1',
    round: state.round,
    rowCount,
    featureCount,
    params,
    baseScores: baseScores.slice(),
    trees: state.trees.slice(),
    randomState: state.random.getState(),
    bestRound: state.bestRound,
    bestValidationLoss: state.bestValidationLoss,
  };
}

/** Checks that a checkpoint belongs to this run (same data shape, same parameters) and restores it. */
export function fromCheckpoint(
  checkpoint: GradientBoostingCheckpoint,
  params: GradientBoostingParams,
  rowCount: number,
  features: readonly GradientBoostingFeatureSchema[],
  outputCount: number,
): BoostingState {
  const mismatch = (what: string): never => {
    throw new TrainingInputError(
      `cannot resume: the checkpoint ${what}; resume with the data and parameters it came from`,
    );
  };
  if (
    typeof checkpoint !== 'object' ||
    checkpoint === null ||
    checkpoint.format !== 'mlops.gbdt-checkpoint/v1'
  ) {
    mismatch('is not a gradient boosting checkpoint');
  }
  if (checkpoint.rowCount !== rowCount) mismatch(`has ${checkpoint.rowCount} rows, not ${rowCount}`);
  if (checkpoint.featureCount !== features.length) mismatch(`has ${checkpoint.featureCount} features`);
  if (JSON.stringify(checkpoint.params) !== JSON.stringify(params))
    mismatch('was made with other parameters');
  const round = checkpoint.round;
  if (!Number.isInteger(round) || round < 0 || round > params.nEstimators) mismatch(`has round ${round}`);
  if (!Array.isArray(checkpoint.trees) || checkpoint.trees.length !== round * outputCount) {
    mismatch('does not hold one tree per output and round');
  }
  const state = checkpoint.randomState;
  if (
    !Array.isArray(state) ||
    state.length !== 4 ||
    !state.every((word) => Number.isInteger(word) && word >= 0)
  ) {
    mismatch('has no valid random state');
  }
  if (!Number.isInteger(checkpoint.bestRound) || checkpoint.bestRound < 0 || checkpoint.bestRound > round) {
    mismatch('has an invalid best round');
  }
  let trees: GradientBoostingTree[];
  try {
    trees = checkpoint.trees.map((tree, index) =>
      readTree(tree, `$.trees[${index}]`, features, params.maxLeaves),
    );
  } catch (error) {
    if (error instanceof ModelDocumentError) mismatch(`is malformed (${error.message})`);
    throw error;
  }
  return {
    round,
    trees: trees!,
    random: SeededRandom.fromState(state),
    bestRound: checkpoint.bestRound,
    bestValidationLoss:
      typeof checkpoint.bestValidationLoss === 'number' ? checkpoint.bestValidationLoss : null,
  };
}
