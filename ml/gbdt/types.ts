/**
 * The public shapes of histogram gradient boosting: training data, parameters, the learned model
 * (a plain JSON value stored inside model documents) and the resumable checkpoint.
 */

/** One input column. Numeric: NaN is missing. Categorical: -1 is missing, codes lie in [0, cardinality). */
export type GradientBoostingFeature =
  | { kind: 'numeric'; name: string; values: Float64Array }
  | { kind: 'categorical'; name: string; codes: Int32Array; cardinality: number };

export interface GradientBoostingData {
  features: GradientBoostingFeature[];
  /** Class index 0..classCount-1 for classification, the value itself for regression. */
  target: Float64Array;
  /** Optional non-negative sample weights (class weights come through here). */
  weights?: Float64Array;
}

export type GradientBoostingLoss = 'binary_logloss' | 'multiclass_softmax' | 'squared_error';

export interface GradientBoostingParams {
  loss: GradientBoostingLoss;
  /** 2 for binary, k >= 3 for multiclass, 1 for regression. */
  classCount: number;
  nEstimators: number;
  learningRate: number;
  /** leafwise: always split the leaf with the largest gain; depthwise: split level by level. */
  growth: 'leafwise' | 'depthwise';
  maxLeaves: number;
  maxDepth: number | null;
  minSamplesLeaf: number;
  /** L2 penalty on leaf values (lambda in G^2 / (H + lambda)). */
  l2: number;
  /** Bins per numeric feature, at most 255; missing values get a bin of their own besides. */
  maxBins: number;
  /** Fraction of rows drawn (without replacement) for each boosting round. */
  rowSubsample: number;
  /** Fraction of features drawn for each tree. */
  featureSubsample: number;
  /** Stop after this many rounds without a better validation loss; needs a validation set. */
  earlyStoppingRounds: number | null;
  seed: number;
  /**
   * Threads building histograms (the calling thread included). Default: 2 from 200,000 training
   * rows on when the machine has 2 or more cores, else 1. The model does not depend on it.
   */
  threads?: number;
}

export const DEFAULT_GRADIENT_BOOSTING_PARAMS: Omit<GradientBoostingParams, 'loss' | 'classCount'> = {
  nEstimators: 100,
  learningRate: 0.1,
  growth: 'leafwise',
  maxLeaves: 31,
  maxDepth: null,
  minSamplesLeaf: 20,
  l2: 0,
  maxBins: 255,
  rowSubsample: 1,
  featureSubsample: 1,
  earlyStoppingRounds: null,
  seed: 0,
};

export type GradientBoostingFeatureSchema =
  | { kind: 'numeric'; name: string }
  | {
      kind: 'categorical';
      name: string;
      cardinality: number;
      /** Codes that occurred in training, sorted; any other code is routed like a missing value. */
      seenCategories: number[];
    };

/**
 * One regression tree as parallel arrays indexed by node; node 0 is the root and every child's
 * index is greater than its parent's, so walking a tree always terminates.
 */
export interface GradientBoostingTree {
  /** Feature index tested at the node, or -1 for a leaf. */
  feature: number[];
  /** Numeric split: a value goes left when value <= threshold. 0 for leaves and categorical splits. */
  threshold: number[];
  /** Categorical split: sorted codes that go left (all others go right); null otherwise. */
  leftCategories: (number[] | null)[];
  /** Where missing values (and category codes unseen in training) go. */
  missingGoesLeft: boolean[];
  /** Child node indices, -1 for leaves. */
  left: number[];
  right: number[];
  /** Leaf output added to the raw score (learning rate applied); 0 for internal nodes. */
  value: number[];
  /** Loss reduction of the split (0 for leaves); feature importance sums it. */
  gain: number[];
}

export interface GradientBoostingModel {
  format: 'mlops.gbdt/v1';
  params: GradientBoostingParams;
  features: GradientBoostingFeatureSchema[];
  /** Initial raw score per output (log-odds, log class priors or the mean). */
  baseScores: number[];
  /** Trees of round r for output k sit at index r * outputCount + k. */
  trees: GradientBoostingTree[];
  /** Rounds kept in `trees`: the best validation round under early stopping, else every round run. */
  bestIteration: number;
  /** Total split gain per feature over the kept trees, normalized to sum to 1 (all 0 without splits). */
  featureImportance: number[];
}

/** Everything needed to continue training bit-for-bit; raw scores are recomputed from the trees. */
export interface GradientBoostingCheckpoint {
  format: 'mlops.gbdt-checkpoint/v1';
  /** Rounds completed. */
  round: number;
  /** Guards against resuming with other data or parameters. */
  rowCount: number;
  featureCount: number;
  params: GradientBoostingParams;
  baseScores: number[];
  /** Every tree built so far (not trimmed to the best round). */
  trees: GradientBoostingTree[];
  /** State of the seeded generator after `round` rounds. */
  randomState: number[];
  bestRound: number;
  /** Best validation loss so far; null without a validation set. */
  bestValidationLoss: number | null;
}

/** 1 output for binary and regression (a single margin), k for k-class softmax. */
export function outputCountFor(classCount: number): number {
  return classCount <= 2 ? 1 : classCount;
}
