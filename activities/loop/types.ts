/** Inputs and outputs of the serving, monitoring and promotion activities (workflows import types only). */
import type { ArtifactRef } from '../../contracts/artifacts.js';
import type { DriftThresholds } from '../../ml/drift/index.js';

export interface ServingState {
  readonly champion: number | null;
  readonly challenger: number | null;
  readonly share: number;
}

export interface TransitionRecord {
  /** Same across retries of the activity (workflow id + sequence), so the audit event is written once. */
  readonly eventKey: string;
  readonly action: string;
  readonly actor: string;
  readonly reason: string;
}

export interface SetServingInput {
  readonly modelName: string;
  readonly champion: number;
  readonly challenger: number | null;
  readonly share: number;
  readonly transition: TransitionRecord;
}

export interface LabeledComparisonInput {
  readonly modelName: string;
  readonly championVersion: number;
  readonly challengerVersion: number;
  /** Epoch ms: labeled predictions logged since then are the evidence. */
  readonly since: number;
}

export interface ComparisonOutput {
  readonly metric: string;
  readonly rows: number;
  readonly champion: number | null;
  readonly challenger: number | null;
  readonly lowerIsBetter: boolean;
}

export interface DriftWindowInput {
  readonly modelName: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly thresholds?: DriftThresholds;
}

export type { DriftThresholds };

export interface DriftWindowOutput {
  readonly modelVersion: number | null;
  readonly rows: number;
  readonly drifted: boolean;
  readonly driftedFeatures: readonly string[];
  readonly maxPsi: number | null;
  readonly labeled: number;
  /** The primary metric on the window's labeled predictions, and the model's test value for comparison. */
  readonly liveMetric: {
    readonly name: string;
    readonly value: number | null;
    readonly testValue: number | null;
    readonly lowerIsBetter: boolean;
  } | null;
  readonly reportId: number | null;
  readonly note: string | null;
}

export interface ProductionDataInput {
  readonly modelName: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly includeTrainingData: boolean;
}

export interface ProductionDataOutput {
  readonly dataset: ArtifactRef & { readonly datasetVersionId: number; readonly rows: number };
  /** The training spec of the served model, pointed at this dataset (for the retraining run). */
  readonly spec: Record<string, unknown>;
}
