/**
 * What the report of one model version shows, as plain JSON-serializable data: the evaluation
 * stage's metric and fairness results as ml/ computes them, plus what the pipeline recorded
 * (gates, lineage, stage runs, tuning trials). A JSON round trip turns NaN and ±Infinity into
 * null; the renderer shows any such value as "–".
 */

import type { FairnessReport } from '../ml/fairness/index.js';
import type { ClassificationMetrics, RegressionMetrics } from '../ml/metrics/index.js';

export type ReportTask = 'binary' | 'multiclass' | 'regression';

/** registered: every gate passed, not promoted; rejected: a gate failed; promoted: set as champion. */
export type ModelVersionReportStatus = 'registered' | 'rejected' | 'promoted';

/** A hyperparameter as the spec allows it. */
export type ReportParamValue = number | string | boolean | null;

export interface ModelSummary {
  readonly name: string;
  readonly version: number;
  readonly status: ModelVersionReportStatus;
  /** Why a gate failed, one sentence each; empty unless rejected. */
  readonly rejectionReasons: readonly string[];
  readonly task: ReportTask;
  readonly trainer: string;
  readonly params: Readonly<Record<string, ReportParamValue>>;
  /** ISO 8601. */
  readonly createdAt: string;
  /** Git commit of the worker's code. */
  readonly codeVersion: string;
  /** The metric tuning and the champion comparison judge by, e.g. "accuracy". */
  readonly primaryMetric?: string;
}

export type EvaluationResult =
  | { readonly kind: 'classification'; readonly metrics: ClassificationMetrics }
  | { readonly kind: 'regression'; readonly metrics: RegressionMetrics };

export interface GateResult {
  /** e.g. "accuracy" or "demographic_parity_difference (Sex)". */
  readonly name: string;
  readonly passed: boolean;
  readonly value: number | null;
  readonly threshold: number | null;
  /** min: value must be ≥ threshold; max: value must be ≤ threshold. */
  readonly bound?: 'min' | 'max';
}

export interface ChampionComparison {
  readonly version: number;
  /** The champion's metrics on the same test set, keyed as `flatMetrics` keys them. */
  readonly metrics: Readonly<Record<string, number | null>>;
}

export interface FeatureImportance {
  readonly feature: string;
  readonly importance: number | null;
}

/** How the importances were measured, for the report to say. */
export type FeatureImportanceMethod =
  /** Gradient boosting's total split gain per feature. */
  | { readonly kind: 'gain' }
  /** How much `metric` worsens on `rows` held-out rows when one feature's values are shuffled. */
  | { readonly kind: 'permutation'; readonly metric: string; readonly rows: number };

export interface TrainingCurvePoint {
  readonly iteration: number;
  readonly loss: number | null;
  readonly validationMetric?: number | null;
}

export interface TrainingCurve {
  /** Name of the validation metric in the points, e.g. "logloss"; null when none was tracked. */
  readonly validationMetric: string | null;
  readonly points: readonly TrainingCurvePoint[];
}

export interface DatasetLineage {
  readonly name: string;
  readonly version: number | string;
  readonly uri: string;
  readonly sha256: string;
  readonly rows: number | null;
}

export interface Lineage {
  readonly pipelineRun?: { readonly workflowId: string; readonly runId: string };
  readonly dataset: DatasetLineage;
}

/** One stage run, with the resource use the stage recorder measured (field names as in db/schema.ts). */
export interface StageRecord {
  readonly stage: string;
  /** e.g. succeeded, failed, running. */
  readonly status: string;
  readonly attempt: number;
  readonly workerIdentity: string;
  readonly cacheHit: boolean;
  readonly durationMs: number | null;
  readonly cpuMs: number | null;
  readonly peakRssBytes: number | null;
  readonly energyJoules: number | null;
  /** Index of the GPU the stage ran on, null for CPU-only stages. */
  readonly gpuDevice?: number | null;
}

export interface TuningTrial {
  readonly id: string;
  readonly params: Readonly<Record<string, ReportParamValue>>;
  readonly validationMetric: number | null;
  readonly durationMs: number | null;
  readonly status?: string;
}

export interface Tuning {
  /** The metric trials were ranked by on validation, e.g. "accuracy". */
  readonly metric: string;
  readonly lowerIsBetter: boolean;
  /** The trial the pipeline chose; when absent, the best finite validation metric is marked. */
  readonly bestTrialId?: string | null;
  readonly trials: readonly TuningTrial[];
}

/** One input of the model as training saw it (from the reference profile kept for monitoring). */
export type InputSummary =
  | {
      readonly name: string;
      readonly kind: 'numeric';
      readonly rows: number;
      readonly missing: number;
      readonly min: number | null;
      readonly max: number | null;
      readonly mean: number | null;
    }
  | {
      readonly name: string;
      readonly kind: 'categorical';
      readonly rows: number;
      readonly missing: number;
      /** The most frequent categories, most frequent first. */
      readonly categories: readonly string[];
      readonly distinctCount: number;
    };

/** A stored artifact of the version: what it is and where it lives. */
export interface ArtifactLink {
  /** e.g. model_file, evaluation, trained_on (the dataset version), report. */
  readonly relation: string;
  readonly uri: string;
  readonly sha256: string;
  readonly bytes: number | null;
}

export interface ModelReportData {
  readonly model: ModelSummary;
  readonly evaluation: EvaluationResult;
  /** Null for regression, or when the spec names no sensitive attribute. */
  readonly fairness: FairnessReport | null;
  readonly featureImportance: readonly FeatureImportance[];
  /** Absent in evaluations stored before the method was recorded. */
  readonly featureImportanceMethod?: FeatureImportanceMethod | null;
  readonly trainingCurve: TrainingCurve;
  readonly gates: readonly GateResult[];
  /** Null when there was no champion to compare with. */
  readonly champion: ChampionComparison | null;
  readonly lineage: Lineage;
  readonly stages: readonly StageRecord[];
  /** Null when the spec had no search. */
  readonly tuning: Tuning | null;
  /** The model's inputs with their training ranges or categories; null when not profiled. */
  readonly inputs?: readonly InputSummary[] | null;
  /** The version's artifacts (model file, evaluation, dataset, this report). */
  readonly artifacts?: readonly ArtifactLink[];
  /** ISO 8601 time the report was rendered from; shown in the footer. */
  readonly generatedAt?: string;
}
