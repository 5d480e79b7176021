/**
 * Inputs and outputs of the training pipeline's activities: small, JSON-serializable, references
 * instead of data. Workflows import these as types only.
 */
import type { ArtifactRef } from '../../contracts/artifacts.js';
import type { DatasetVersionRef, GateOutcome } from '../../contracts/pipeline.js';
import type { ParamValue, PipelineSpec, PrimaryMetric, TaskType, TrainerName } from '../../spec/types.js';

export interface StageInput {
  readonly pipelineRunId: number;
  /** Run the stage even when an earlier identical run could be reused. */
  readonly noCache: boolean;
}

/** A folder on one worker's disk, reachable through that worker's own task queue. */
export interface ScratchHandle {
  readonly taskQueue: string;
  readonly directory: string;
  readonly workerIdentity: string;
}

export interface IngestInput extends StageInput {
  readonly pipelineName: string;
  readonly dataset: PipelineSpec['dataset'];
  readonly pii: PipelineSpec['pii'];
  readonly target: string;
  readonly validation: PipelineSpec['validation'];
}

/** Either an earlier identical ingest's dataset version (cache hit), or raw data staged on one worker. */
export type IngestOutput =
  | { readonly kind: 'cached'; readonly dataset: DatasetVersionRef }
  | {
      readonly kind: 'staged';
      readonly scratch: ScratchHandle;
      readonly rows: number;
      readonly cacheKey: string;
      readonly sourceSha256: string;
    };

export interface ValidateInput extends StageInput {
  readonly scratch: ScratchHandle;
  readonly target: string;
  readonly validation: PipelineSpec['validation'];
  /** Columns whose values never appear in the report (they are PII). */
  readonly pii: PipelineSpec['pii'];
}

export interface ValidateOutput {
  readonly report: ArtifactRef;
  readonly rows: number;
}

export interface DeidentifyInput extends StageInput {
  readonly pipelineName: string;
  readonly scratch: ScratchHandle;
  readonly pii: PipelineSpec['pii'];
  readonly cacheKey: string;
  readonly source: { readonly uri: string; readonly sha256: string; readonly query?: string };
}

export interface SplitInput extends StageInput {
  readonly dataset: DatasetVersionRef;
  readonly split: PipelineSpec['split'];
  readonly target: string;
  readonly task?: TaskType;
}

export interface SplitOutput {
  readonly split: ArtifactRef;
  readonly counts: { readonly train: number; readonly validation: number; readonly test: number };
  readonly task: TaskType;
  readonly classes: readonly string[] | null;
  readonly cacheHit: boolean;
}

/** Everything that decides a trained model: the same values give the same model (and a cache hit). */
export interface TrainingRecipe {
  readonly dataset: DatasetVersionRef;
  readonly split: ArtifactRef;
  readonly target: string;
  readonly features: readonly string[];
  readonly exclude: readonly string[];
  readonly task: TaskType;
  readonly trainer: TrainerName;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly seed: number;
}

export interface TrainInput extends StageInput {
  /** `train`, or `tune/trial-3/train` for a tuning trial. */
  readonly stage: string;
  readonly pipelineName: string;
  readonly recipe: TrainingRecipe;
}

export interface TrainOutput {
  readonly model: ArtifactRef;
  readonly iterations: number;
  readonly finalLoss: number | null;
  readonly validationMetric: number | null;
  readonly validationMetricName: string | null;
  readonly cacheHit: boolean;
}

export interface EvaluateInput extends StageInput {
  readonly stage: string;
  readonly pipelineName: string;
  readonly recipe: TrainingRecipe;
  readonly model: ArtifactRef;
  readonly sensitive: readonly string[];
  readonly part: 'validation' | 'test';
  readonly primaryMetric: PrimaryMetric;
  /** Also compute the training data's reference drift profile (the final evaluation only). */
  readonly withReferenceProfile: boolean;
}

export interface EvaluateOutput {
  readonly evaluation: ArtifactRef;
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly fairness: Readonly<Record<string, number | null>>;
  readonly cacheHit: boolean;
}

export interface ChampionInput {
  readonly pipelineRunId: number;
  readonly modelName: string;
  readonly recipe: TrainingRecipe;
  readonly primaryMetric: PrimaryMetric;
}

export interface RegisterInput {
  readonly pipelineRunId: number;
  readonly workflowId: string;
  readonly modelName: string;
  readonly recipe: TrainingRecipe;
  readonly model: ArtifactRef;
  readonly evaluation: ArtifactRef;
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly fairness: Readonly<Record<string, number | null>>;
  readonly gates: readonly GateOutcome[];
  readonly rejectionReasons: readonly string[] | null;
  readonly promote: boolean;
  /** Training and evaluation were cache hits: report the version already made from this model file. */
  readonly reuseExistingVersion: boolean;
}

export interface RegisterOutput {
  readonly modelVersionId: number;
  readonly version: number;
  readonly promoted: boolean;
  readonly created: boolean;
  /** The version's report when it already has one (a reused version). */
  readonly reportUri: string | null;
}

export interface ReportInput {
  readonly pipelineRunId: number;
  readonly modelName: string;
  readonly modelVersionId: number;
}

export interface TrialResult {
  readonly trial: number;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly model: ArtifactRef;
  readonly validationMetric: number | null;
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly durationMs: number;
}
