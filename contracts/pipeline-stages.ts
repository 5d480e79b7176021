/**
 * What the training pipeline's workflows and activities agree on: each activity's input and
 * output (small, JSON-serializable, references instead of data) and the activities themselves.
 * Workflows call these through `proxyActivities<PipelineActivities>`; the worker registers
 * implementations that satisfy them (activities/pipeline/).
 */
import type { ArtifactRef } from './artifacts.js';
import type { DatasetVersionRef, GateOutcome, PromotionOutcome } from './pipeline.js';
import type { RunActivities } from './runs.js';
import type { TaskQueues } from './task-queues.js';
import type { ParamValue, PipelineSpec, PrimaryMetric, SpecTrainer, TaskType } from '../spec/types.js';

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
  /** The dataset's columns, in order (absent in histories from before the split stage read them). */
  readonly columns?: readonly string[];
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
  readonly trainer: SpecTrainer;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly seed: number;
  /** `trainer: command`: what runs (docs/trainers.md). */
  readonly command?: CommandTrainerRecipe;
  /** `mlops models import`: the ONNX file that is the model (nothing is trained). */
  readonly imported?: ArtifactRef;
  /**
   * `features` resolved against the dataset's columns (`resolveFeatureColumns`), so no trial reads
   * the schema again. Derived from the fields above, so it is not part of any cache key; absent in
   * histories from before the split stage returned the columns.
   */
  readonly featureColumns?: readonly string[];
}

/** What runs a command trainer; part of the recipe, so of the train stage's cache key (by the code's sha256). */
export interface CommandTrainerRecipe {
  readonly command: readonly string[];
  readonly python?: PipelineSpec['train']['python'];
  /** The spec's folder, packaged: the command runs in a copy of it. */
  readonly code: ArtifactRef;
  /** The train stage's budget (`2h`); default 12 hours. */
  readonly timeout?: string;
}

/** The spec's feature list, or every column but the target and the excluded ones, in the dataset's order. */
export function resolveFeatureColumns(
  columns: readonly string[],
  recipe: Pick<TrainingRecipe, 'features' | 'target' | 'exclude'>,
): string[] {
  if (recipe.features.length > 0) return [...recipe.features];
  const excluded = new Set([recipe.target, ...recipe.exclude]);
  return columns.filter((column) => !excluded.has(column));
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
  /** `--no-cache`: score the champion again even where this file scored this test part before. */
  readonly noCache?: boolean;
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
  /** Recorded with the version: what its gates, comparisons and live monitoring judge it by. */
  readonly primaryMetric: PrimaryMetric;
  /**
   * Histories from before promotion went through the lifecycle workflow carry `true` here, when
   * this activity moved the champion alias itself; it is ignored now (see `promoteStage`).
   */
  readonly promote?: boolean;
  /**
   * Training and evaluation were cache hits: report the version already made from this model
   * file when this run's gates judge it the same way (registered, or rejected); otherwise this
   * run registers a version of its own, judged by its own gates.
   */
  readonly reuseExistingVersion: boolean;
}

export interface RegisterOutput {
  readonly modelVersionId: number;
  readonly version: number;
  /** Only in histories from before `promoteStage`: whether this activity moved the champion alias. */
  readonly promoted?: boolean;
  readonly created: boolean;
  /** The version's report when it already has one (a reused version). */
  readonly reportUri: string | null;
}

export interface PromoteInput {
  readonly pipelineRunId: number;
  /** The pipeline's workflow id: the promotion's update id and audit actor, the same on every retry. */
  readonly workflowId: string;
  readonly modelName: string;
  readonly version: number;
  /** Where the model's lifecycle workflow runs when this promotion starts it. */
  readonly taskQueues: TaskQueues;
}

/** The current champion scored on this run's test part (`compareToChampion`). */
export interface ChampionScore {
  readonly version: number;
  /** Null when the champion cannot score this data (its features are gone). */
  readonly value: number | null;
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

/** The activities of the training pipeline, by what their work is (proxy groups in workflows/). */
export interface PipelineActivities extends RunActivities {
  ingestStage(input: IngestInput): Promise<IngestOutput>;
  validateStage(input: ValidateInput): Promise<ValidateOutput>;
  deidentifyStage(input: DeidentifyInput): Promise<DatasetVersionRef>;
  splitStage(input: SplitInput): Promise<SplitOutput>;
  trainStage(input: TrainInput): Promise<TrainOutput>;
  evaluateStage(input: EvaluateInput): Promise<EvaluateOutput>;
  championStage(input: ChampionInput): Promise<ChampionScore | null>;
  registerStage(input: RegisterInput): Promise<RegisterOutput>;
  /** Asks the model's lifecycle workflow to make the version the champion (Update-With-Start). */
  promoteStage(input: PromoteInput): Promise<PromotionOutcome>;
  reportStage(input: ReportInput): Promise<ArtifactRef>;
  /** How many workers poll a task queue for activities right now. */
  taskQueuePollers(input: { taskQueue: string }): Promise<{ pollers: number }>;
}

/** One tuning trial's child workflow input (`tuningTrialWorkflow`). */
export interface TuningTrialInput {
  readonly pipelineRunId: number;
  readonly pipelineName: string;
  readonly trial: number;
  readonly recipe: TrainingRecipe;
  readonly primaryMetric: PrimaryMetric;
  readonly taskQueues: TaskQueues;
  readonly trainOnGpu: boolean;
  readonly noCache: boolean;
}
