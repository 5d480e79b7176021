/**
 * What the loop's workflows (lifecycle, monitor) and activities agree on: what is served, live
 * evidence, drift windows and retraining data, and the activities themselves.
 */
import type { ArtifactRef } from './artifacts.js';
import type { CanaryPolicy, LiveEvidence } from './lifecycle.js';
import type { DriftThresholds } from '../ml/drift/index.js';
import type { PipelineSpec } from '../spec/types.js';

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
  readonly spec: PipelineSpec;
}

export interface ResolveVersionInput {
  readonly modelName: string;
  readonly version: number;
  /** Refuse a version that cannot be served (rejected, archived). */
  readonly servable: boolean;
}

/** An audited lifecycle event that changes nothing served (a challenger turned away, an approval). */
export interface LifecycleEventInput {
  readonly modelName: string;
  readonly eventKey: string;
  readonly action: string;
  readonly actor: string;
  readonly reason: string;
  readonly version: number;
  /** The state the event is about, before and after (default: no before, `{ version }` after). */
  readonly before?: Readonly<Record<string, unknown>>;
  readonly after?: Readonly<Record<string, unknown>>;
}

export interface ProposeChallengerInput {
  readonly modelName: string;
  readonly version: number;
  readonly reason: string;
  readonly actor: string;
  readonly canary?: Partial<CanaryPolicy>;
  readonly taskQueue: string;
}

/** The activities that close the loop. */
export interface LoopActivities {
  currentServing(input: { modelName: string }): Promise<ServingState>;
  /** A registered version, or a non-retryable NotFound/InvalidInput the caller reads. */
  resolveModelVersion(input: ResolveVersionInput): Promise<{ modelVersionId: number; version: number }>;
  setServingTraffic(input: SetServingInput): Promise<ServingState>;
  recordLifecycleEvent(input: LifecycleEventInput): Promise<void>;
  /** Hands a retrained version to the model's lifecycle workflow (starting it if needed) as a challenger. */
  proposeChallenger(input: ProposeChallengerInput): Promise<void>;
  canaryEvidence(input: LabeledComparisonInput): Promise<LiveEvidence>;
  compareOnLabeledTraffic(input: LabeledComparisonInput): Promise<ComparisonOutput>;
  computeDriftWindow(input: DriftWindowInput): Promise<DriftWindowOutput>;
  snapshotProductionData(input: ProductionDataInput): Promise<ProductionDataOutput>;
}

/** The activities a lifecycle uses: what is served, the registry, the audit trail and labeled traffic. */
export type LifecycleActivities = Pick<
  LoopActivities,
  | 'currentServing'
  | 'resolveModelVersion'
  | 'setServingTraffic'
  | 'recordLifecycleEvent'
  | 'compareOnLabeledTraffic'
  | 'canaryEvidence'
>;
