/**
 * Gradient boosting through ml/gbdt (input from gradient-boosting-input.ts); its model is stored
 * whole inside the model document.
 */
import type { Frame } from '../frame/frame.js';
import type { FeatureEncoderSpec } from '../encoders/feature-set.js';
import {
  DEFAULT_GRADIENT_BOOSTING_PARAMS,
  fitGradientBoosting,
  type GradientBoostingCheckpoint,
  type GradientBoostingData,
  type GradientBoostingModel,
  type GradientBoostingParams,
} from '../gbdt/index.js';
import type { TrainerHooks, TrainingProgress } from '../training.js';
import { gradientBoostingFeatures } from './gradient-boosting-input.js';
import { classSampleWeights, type PreparedTarget, prepareValidationTarget } from './training-data.js';
import type { ClassWeight, ResolvedParams } from './trainer-params.js';

export interface GradientBoostingJob {
  readonly frame: Frame;
  readonly encoders: readonly FeatureEncoderSpec[];
  readonly target: PreparedTarget;
  readonly params: ResolvedParams;
  readonly seed: number;
  readonly threads?: number;
  readonly validationFrame?: Frame;
  readonly timestampFeatures: ReadonlySet<string>;
  readonly hooks: TrainerHooks<GradientBoostingCheckpoint>;
}

export interface GradientBoostingFit {
  readonly model: GradientBoostingModel;
  readonly loss: number;
  readonly stopReason: string;
}

export function trainGradientBoosting(job: GradientBoostingJob): GradientBoostingFit {
  const { frame, encoders, target, params } = job;
  const classes = target.description.classes ?? [];
  const classIndex = target.classIndex;
  const train: GradientBoostingData = {
    features: gradientBoostingFeatures(frame, encoders, job.timestampFeatures),
    target: classIndex ? Float64Array.from(classIndex) : (target.values ?? new Float64Array(0)),
  };
  const weights = classIndex
    ? classSampleWeights(classIndex, classes, params.classWeight as ClassWeight)
    : null;
  if (weights) train.weights = weights;
  let validation: GradientBoostingData | undefined;
  if (job.validationFrame) {
    const validationTarget = prepareValidationTarget(job.validationFrame, target);
    validation = {
      features: gradientBoostingFeatures(job.validationFrame, encoders, job.timestampFeatures),
      target: validationTarget.classIndex
        ? Float64Array.from(validationTarget.classIndex)
        : (validationTarget.values ?? new Float64Array(0)),
    };
  }
  const gbdtParams: GradientBoostingParams = {
    ...DEFAULT_GRADIENT_BOOSTING_PARAMS,
    loss:
      target.task === 'regression'
        ? 'squared_error'
        : target.task === 'binary'
          ? 'binary_logloss'
          : 'multiclass_softmax',
    classCount: target.task === 'regression' ? 1 : classes.length,
    nEstimators: params.nEstimators as number,
    learningRate: params.learningRate as number,
    growth: params.growth as GradientBoostingParams['growth'],
    maxLeaves: params.maxLeaves as number,
    maxDepth: params.maxDepth as number | null,
    minSamplesLeaf: params.minSamplesLeaf as number,
    l2: params.l2 as number,
    maxBins: params.maxBins as number,
    rowSubsample: params.rowSubsample as number,
    featureSubsample: params.featureSubsample as number,
    earlyStoppingRounds: params.earlyStoppingRounds as number | null,
    seed: job.seed,
    ...(job.threads === undefined ? {} : { threads: job.threads }),
  };
  let lastProgress: TrainingProgress | undefined;
  const hooks: TrainerHooks<GradientBoostingCheckpoint> = {
    ...job.hooks,
    onProgress: (progress) => {
      lastProgress = progress;
      job.hooks.onProgress?.(progress);
    },
  };
  const model = fitGradientBoosting(train, gbdtParams, { validation, hooks });
  const stopReason = model.bestIteration < gbdtParams.nEstimators ? 'early_stopping' : 'max_rounds';
  return { model, loss: lastProgress?.loss ?? 0, stopReason };
}
