/** Training the two linear trainers from prepared data: design building, penalty, class weights. */
import type { Frame } from '../frame/frame.js';
import type { FeatureEncoderSpec } from '../encoders/feature-set.js';
import { buildLinearDesign, linearLayout } from '../linear/design.js';
import type { LinearCheckpoint } from '../linear/lbfgs-training.js';
import { fitLinearRegression, type LinearRegressionSolver } from '../linear/linear-regression.js';
import type { LinearFit } from '../linear/linear-model.js';
import { fitLogisticRegression } from '../linear/logistic-regression.js';
import { defaultThreadCount, type TrainerHooks } from '../training.js';
import { classSampleWeights, type PreparedTarget, prepareValidationTarget } from './training-data.js';
import type { ClassWeight, ResolvedParams } from './trainer-params.js';

export interface LinearTrainingJob {
  readonly frame: Frame;
  readonly encoders: readonly FeatureEncoderSpec[];
  readonly target: PreparedTarget;
  readonly params: ResolvedParams;
  readonly validationFrame?: Frame;
  /** Threads for the logistic loss; default: 2 from 200,000 rows on with 2 or more cores. */
  readonly threads?: number;
  readonly hooks: TrainerHooks<LinearCheckpoint>;
}

export function trainLogisticRegression(job: LinearTrainingJob): LinearFit {
  const { frame, encoders, target, params } = job;
  const layout = linearLayout(encoders);
  const threads = job.threads ?? defaultThreadCount(frame.rowCount);
  const design = buildLinearDesign(frame, encoders, layout, undefined, threads > 1);
  const classes = target.description.classes ?? [];
  const classIndex = target.classIndex ?? new Int32Array(0);
  const sampleWeights = classSampleWeights(classIndex, classes, params.classWeight as ClassWeight);
  const C = params.C as number | null;
  let l2 = params.l2 as number;
  if (C !== null) {
    // scikit-learn's C * sum(loss) + ||w||^2 / 2, divided by the sum of sample weights.
    const weightSum = sampleWeights
      ? sampleWeights.reduce((sum, weight) => sum + weight, 0)
      : design.rowCount;
    l2 = 1 / (C * weightSum);
  }
  const validation = job.validationFrame && {
    design: buildLinearDesign(job.validationFrame, encoders, layout),
    classIndex: prepareValidationTarget(job.validationFrame, target).classIndex ?? new Int32Array(0),
  };
  return fitLogisticRegression(
    {
      design,
      classIndex,
      classCount: classes.length,
      sampleWeights,
      l2,
      l1: params.l1 as number,
      maxIterations: params.maxIterations as number,
      tolerance: params.tolerance as number,
      threads,
      validation,
    },
    job.hooks,
  );
}

export function trainLinearRegression(job: LinearTrainingJob): LinearFit {
  const { frame, encoders, target, params } = job;
  const layout = linearLayout(encoders);
  const validation = job.validationFrame && {
    design: buildLinearDesign(job.validationFrame, encoders, layout),
    target: prepareValidationTarget(job.validationFrame, target).values ?? new Float64Array(0),
  };
  return fitLinearRegression(
    {
      design: buildLinearDesign(frame, encoders, layout),
      target: target.values ?? new Float64Array(0),
      sampleWeights: null,
      l2: params.l2 as number,
      solver: params.solver as LinearRegressionSolver,
      maxIterations: params.maxIterations as number,
      tolerance: params.tolerance as number,
      validation,
    },
    job.hooks,
  );
}
