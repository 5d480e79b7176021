/**
 * Logistic regression: binary (one sigmoid output) and multinomial (softmax over every class),
 * L2-penalized, fitted by full-batch L-BFGS (by OWL-QN, owlqn.ts, when an L1 penalty is added). See logistic-objective.ts for the exact objective and
 * how `l2` relates to scikit-learn's C.
 */
import type { TrainerHooks } from '../training.js';
import type { LinearDesign } from './design.js';
import { DEFAULT_LBFGS_OPTIONS } from './lbfgs.js';
import { type LinearCheckpoint, runLbfgsTraining } from './lbfgs-training.js';
import { type LinearFit, unpackPoint } from './linear-model.js';
import { LogisticObjective } from './logistic-objective.js';

export interface LogisticTrainingInput {
  readonly design: LinearDesign;
  readonly classIndex: Int32Array;
  readonly classCount: number;
  readonly sampleWeights: Float64Array | null;
  /** l2 on the mean-loss scale (already derived from C when C was given). */
  readonly l2: number;
  /** l1 on the mean-loss scale; 0 for none. */
  readonly l1: number;
  readonly maxIterations: number;
  readonly tolerance: number;
  /** Threads evaluating the loss (the model does not depend on it). */
  readonly threads: number;
  readonly validation?: { readonly design: LinearDesign; readonly classIndex: Int32Array };
}

export function fitLogisticRegression(
  input: LogisticTrainingInput,
  hooks: TrainerHooks<LinearCheckpoint>,
): LinearFit {
  const outputs = input.classCount === 2 ? 1 : input.classCount;
  const objective = new LogisticObjective(
    input.design,
    input.classIndex,
    input.sampleWeights,
    outputs,
    input.l2,
    input.threads,
  );
  let validate: ((point: Float64Array) => { name: string; value: number }) | undefined;
  if (input.validation !== undefined) {
    const validationObjective = new LogisticObjective(
      input.validation.design,
      input.validation.classIndex,
      null,
      outputs,
      0,
    );
    const scratch = new Float64Array(objective.dimension);
    validate = (point) => ({ name: 'logloss', value: validationObjective.evaluate(point, scratch) });
  }
  let result;
  try {
    result = runLbfgsTraining({
      trainer: 'logistic_regression',
      objective: objective.evaluate,
      dimension: objective.dimension,
      rowCount: input.design.rowCount,
      options: {
        ...DEFAULT_LBFGS_OPTIONS,
        maxIterations: input.maxIterations,
        gradientTolerance: input.tolerance,
        // Intercepts sit after every output's weights and stay unpenalized.
        l1: { strength: input.l1, coordinates: outputs * input.design.layout.weightCount },
      },
      hooks,
      validate,
    });
  } finally {
    objective.close();
  }
  return {
    learned: unpackPoint(result.point, outputs, input.design.layout.weightCount),
    iterations: result.iterations,
    loss: result.loss,
    stopReason: result.stopReason,
  };
}
