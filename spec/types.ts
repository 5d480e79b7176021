/**
 * The pipeline spec (DESIGN.md, "The pipeline spec"): what a user writes in YAML or JSON, after
 * validation and defaults. Types and plain constants with type-only imports, so workflows can
 * import them.
 */
import type { ArtifactRef } from '../contracts/artifacts.js';

/** The platform's own trainers; `command` runs the team's code instead (docs/trainers.md). */
export const trainerNames = ['logistic_regression', 'linear_regression', 'gradient_boosting'] as const;
export const COMMAND_TRAINER = 'command';
/** A version made from an ONNX file trained elsewhere (`mlops models import`); never written in a spec. */
export const IMPORTED_MODEL = 'imported';
export const primaryMetrics = [
  'accuracy',
  'balanced_accuracy',
  'f1',
  'auc',
  'logloss',
  'rmse',
  'mae',
  'r2',
] as const;
export const fairnessMetrics = [
  'demographic_parity_difference',
  'demographic_parity_ratio',
  'equalized_odds_difference',
] as const;

export type TaskType = 'binary' | 'multiclass' | 'regression';
export type TrainerName = (typeof trainerNames)[number];
export type SpecTrainer = TrainerName | typeof COMMAND_TRAINER | typeof IMPORTED_MODEL;
export type DatasetFormat = 'csv' | 'json' | 'parquet';
export type PrimaryMetric = (typeof primaryMetrics)[number];
export type FairnessMetric = (typeof fairnessMetrics)[number];
export type ParamValue = number | string | boolean | null;

export interface ColumnExpectation {
  readonly type?: 'number' | 'string' | 'boolean';
  readonly min?: number;
  readonly max?: number;
  readonly allowed?: readonly (string | number | boolean)[];
  /** Share of values (of the non-null ones) that may fail `type`; default 0. */
  readonly maxInvalidFraction?: number;
  readonly maxNullFraction?: number;
}

export interface MetricGate {
  readonly metric: PrimaryMetric;
  readonly min?: number;
  readonly max?: number;
}

export interface FairnessGate {
  readonly fairness: FairnessMetric;
  /** Sensitive attribute to judge; default: every one in `sensitive`, worst value. */
  readonly attribute?: string;
  readonly min?: number;
  readonly max?: number;
}

export type Gate = MetricGate | FairnessGate;

export interface PipelineSpec {
  readonly name: string;
  readonly dataset: { readonly uri: string; readonly format?: DatasetFormat; readonly query?: string };
  readonly target: string;
  readonly task?: TaskType;
  readonly features: readonly string[];
  readonly exclude: readonly string[];
  readonly pii: {
    readonly drop: readonly string[];
    /** Replaced by the keyed HMAC-SHA256 of their values at de-identification, and at serving. */
    readonly hash: readonly string[];
    /**
     * Already the keyed HMAC of their values, under the platform's key (as the prediction log
     * holds them: a retraining spec built from it sets this): kept as they are, never hashed
     * again, but hashed at serving like `hash`, since that is what the model's inputs are.
     */
    readonly hashed?: readonly string[];
  };
  readonly sensitive: readonly string[];
  readonly validation: {
    readonly minRows?: number;
    readonly maxNullFraction?: number;
    readonly columns: Readonly<Record<string, ColumnExpectation>>;
  };
  readonly split: {
    readonly strategy: 'random' | 'time';
    readonly testFraction: number;
    readonly validationFraction: number;
    readonly seed: number;
    readonly timeColumn?: string;
    /** Time split: rows at or after this time are test (instead of the last `testFraction`). */
    readonly testFrom?: string;
    /** Time split: rows at or after this time, before `testFrom`, are validation. */
    readonly validationFrom?: string;
  };
  readonly train: {
    readonly trainer: SpecTrainer;
    /** `trainer: command`: the argument list run in a copy of the spec's folder (docs/trainers.md). */
    readonly command?: readonly string[];
    /** `trainer: command`: a virtual environment with these requirements to run it in. */
    readonly python?: { readonly requirements?: readonly string[]; readonly requirementsFile?: string };
    /** `trainer: command`: the train stage's budget (`90s`, `30m`, `2h`, `1d`); default 12 hours. */
    readonly timeout?: string;
    /**
     * `trainer: command`: the spec's folder, packaged by the client that starts the run
     * (client/trainer-code.ts); set by the platform, never written in a spec.
     */
    readonly code?: ArtifactRef;
    /** `mlops models import`: the ONNX file to evaluate and register instead of training. */
    readonly imported?: ArtifactRef;
    readonly params: Readonly<Record<string, ParamValue>>;
    readonly search?: Readonly<Record<string, readonly ParamValue[]>>;
    readonly searchStrategy: 'grid' | 'random';
    readonly maxTrials?: number;
    readonly maxParallelTrials: number;
    readonly resources: { readonly gpu: number };
  };
  readonly evaluation: {
    /** Default: accuracy for classification, rmse for regression (see resolvePrimaryMetric). */
    readonly primaryMetric?: PrimaryMetric;
    readonly gates: readonly Gate[];
    readonly compareToChampion: boolean;
  };
  readonly deploy: { readonly promote: boolean };
  readonly serving: {
    /**
     * Inputs a prediction request may leave out (absent or null), imputed by the model as
     * training imputed them; any other input missing is refused. Default: none.
     */
    readonly allowMissing: readonly string[];
  };
}

/** Trials one run may have: `maxTrials`' maximum, and the largest grid tried in full (spec/limits.ts). */
export const MAX_TRIALS = 1000;

/** Metrics where smaller is better; every other metric is better when larger. */
export const lowerIsBetter: ReadonlySet<PrimaryMetric> = new Set(['logloss', 'rmse', 'mae']);

export const classificationMetrics: ReadonlySet<PrimaryMetric> = new Set([
  'accuracy',
  'balanced_accuracy',
  'f1',
  'auc',
  'logloss',
]);
export const regressionMetrics: ReadonlySet<PrimaryMetric> = new Set(['rmse', 'mae', 'r2']);

export function metricFitsTask(metric: PrimaryMetric, task: TaskType): boolean {
  return task === 'regression' ? regressionMetrics.has(metric) : classificationMetrics.has(metric);
}

export function resolvePrimaryMetric(spec: PipelineSpec, task: TaskType): PrimaryMetric {
  return spec.evaluation.primaryMetric ?? (task === 'regression' ? 'rmse' : 'accuracy');
}

export function isFairnessGate(gate: Gate): gate is FairnessGate {
  return 'fairness' in gate;
}
