/**
 * The model document: everything needed to score with a trained model, as plain versioned JSON.
 * It is data, never code: loading it evaluates nothing (see load.ts for the strict validation).
 *
 *   {
 *     "format": "mlops.model/v1",
 *     "task": "binary" | "multiclass" | "regression",
 *     "target": { "name", "type", "classes"? },      classes sorted; absent for regression
 *     "features": [name, ...],                       inputs the model reads, in order
 *     "inputSchema": [{ "name", "type", "missingInTraining" }, ...]   one per feature
 *     "encoders": [numeric or categorical encoder, ...]               one per feature
 *     "trainer": { "name", "params" },              every parameter, defaults filled in
 *     "learned": { "kind": "linear", "intercepts", "coefficients" }
 *              | { "kind": "gradient_boosting", "model": <mlops.gbdt/v1 model> },
 *     "training": { "seed", "rowCount", "validationRowCount", "iterations", "loss", "stopReason" }
 *   }
 *
 * Linear coefficients follow the layout in ml/linear/design.ts: per output, the numeric features'
 * standardized values (and missing indicators), then one weight per category code. A binary
 * model has one output: the log-odds of classes[1].
 * No timestamps or hostnames inside: the same seed and data give byte-identical documents
 * (serialize with serializeModelDocument); the registry keeps creation metadata next to it.
 */
import type { CategoricalEncoderSpec } from '../encoders/categorical.js';
import type { FeatureEncoderSpec } from '../encoders/feature-set.js';
import type { TargetType } from '../encoders/labels.js';
import type { NumericEncoderSpec } from '../encoders/numeric.js';
import type { GradientBoostingModel } from '../gbdt/index.js';
import type { LinearLearned } from '../linear/linear-model.js';
import type { ResolvedParams, TrainerName } from './trainer-params.js';

export const MODEL_FORMAT = 'mlops.model/v1';

export type TaskType = 'binary' | 'multiclass' | 'regression';
export type InputType = 'number' | 'string' | 'boolean' | 'timestamp';

export interface InputField {
  readonly name: string;
  /** What serving should send: a number, a string, a boolean, or a timestamp (ISO string or epoch ms). */
  readonly type: InputType;
  /** Whether training rows lacked this value (then it is imputed or has its missing bucket). */
  readonly missingInTraining: boolean;
}

export interface TargetDescription {
  readonly name: string;
  readonly type: TargetType;
  /** Class labels as text, sorted; the order of every per-class array. */
  readonly classes?: readonly string[];
}

export interface GradientBoostingLearned {
  readonly kind: 'gradient_boosting';
  readonly model: GradientBoostingModel;
}

export type LearnedParameters = LinearLearned | GradientBoostingLearned;

export interface TrainingSummary {
  readonly seed: number;
  readonly rowCount: number;
  readonly validationRowCount: number;
  /** L-BFGS iterations or boosting rounds kept. */
  readonly iterations: number;
  /** Final training objective (penalized mean loss for linear models, mean loss for boosting). */
  readonly loss: number;
  readonly stopReason: string;
}

export interface ModelDocument {
  readonly format: typeof MODEL_FORMAT;
  readonly task: TaskType;
  readonly target: TargetDescription;
  readonly features: readonly string[];
  readonly inputSchema: readonly InputField[];
  readonly encoders: readonly FeatureEncoderSpec[];
  readonly trainer: { readonly name: TrainerName; readonly params: ResolvedParams };
  readonly learned: LearnedParameters;
  readonly training: TrainingSummary;
}

export type { CategoricalEncoderSpec, FeatureEncoderSpec, NumericEncoderSpec };
