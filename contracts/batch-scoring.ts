import { defineQuery } from '@temporalio/workflow';
import type { ArtifactRef } from './artifacts.js';
import type { TaskQueues } from './task-queues.js';

/**
 * Batch scoring (`mlops score`): a dataset scored by one registered model version, cut into
 * chunks that any worker of the CPU pool scores, each chunk an idempotent activity, written as
 * Parquet with a prediction id per row and recorded in lineage (a pipeline run of kind
 * `batch_scoring`: the model version, the input's hash, the output's hash).
 */

export const batchScoringWorkflowType = 'batchScoringWorkflow';

/** `score/<model>/<key>`: one batch per key, so a repeated start finds the running one. */
export function batchScoringWorkflowId(modelName: string, key: string): string {
  return `score/${modelName}/${key}`;
}

export interface BatchScoringInput {
  readonly modelName: string;
  /** A version number, or `champion` (resolved once, when the batch starts). */
  readonly version: number | 'champion';
  /** A local path (under the working directory or MLOPS_DATA_ROOTS), `s3://` or `http(s)://`. */
  readonly inputUri: string;
  /** Parquet, CSV or JSON; default: from the input's extension. */
  readonly format?: 'parquet' | 'csv' | 'json';
  /** `s3://bucket/prefix`: where the parts and their manifest go (the client defaults it under the platform bucket). */
  readonly outputUri: string;
  /** Rows per chunk (one activity each). */
  readonly chunkRows: number;
  /** Chunks scored at the same time, at most. */
  readonly parallelism: number;
  /** Also log a sample of the predictions (at most this many rows) for the model's monitor; 0: none. */
  readonly monitorRows: number;
  readonly taskQueues: TaskQueues;
  readonly trigger?: string;
}

/** The model version a batch scores with, resolved when it starts. */
export interface BatchModel {
  readonly modelVersionId: number;
  readonly version: number;
  readonly modelFile: ArtifactRef;
  readonly features: readonly string[];
  /** The training spec's personal-data rules, applied to the input as training applied them. */
  readonly pii: { readonly drop: readonly string[]; readonly hash: readonly string[] };
}

export interface BatchChunk {
  readonly index: number;
  /** Row number (0-based, input order) of the chunk's first row. */
  readonly firstRow: number;
  readonly rows: number;
  /** The de-identified chunk (Parquet) in the platform bucket. */
  readonly file: ArtifactRef;
}

export interface BatchPlan {
  /** sha256 of the input's bytes. */
  readonly inputSha256: string;
  readonly rows: number;
  readonly columns: readonly string[];
  readonly chunks: readonly BatchChunk[];
}

export interface ScoreChunkInput {
  readonly pipelineRunId: number;
  readonly modelName: string;
  readonly model: BatchModel;
  readonly chunk: BatchChunk;
  /** Prediction ids are `<prefix><row number as 12 hex digits>`: a UUID per row, unique per batch. */
  readonly predictionIdPrefix: string;
  readonly outputUri: string;
  /** Rows of this chunk to log for the monitor (evenly spaced); 0: none. */
  readonly monitorRows: number;
}

export interface ScoredChunk {
  readonly index: number;
  readonly rows: number;
  readonly part: ArtifactRef;
  readonly workerIdentity: string;
  readonly durationMs: number;
}

export interface BatchScoringResult {
  readonly workflowId: string;
  readonly modelName: string;
  readonly version: number;
  readonly inputUri: string;
  readonly inputSha256: string;
  readonly rows: number;
  /** `s3://.../_manifest.json`: every part with its sha256, the model version and the input's hash. */
  readonly manifest: ArtifactRef;
  /** The manifest's sha256: the output's hash. */
  readonly outputSha256: string;
  readonly parts: readonly ArtifactRef[];
  readonly monitorRows: number;
  /** Which worker scored each chunk, in chunk order. */
  readonly chunkWorkers: readonly string[];
  readonly scoringMs: number;
}

/** Answered by the `batchProgress` query: how far the chunks are. */
export interface BatchProgress {
  readonly stage: 'resolve' | 'prepare' | 'score' | 'finish' | 'done';
  readonly chunks: number;
  readonly chunksDone: number;
  readonly rows: number;
  readonly rowsDone: number;
}

export const batchProgressQuery = defineQuery<BatchProgress>('batchProgress');

export type BatchScoringWorkflow = (input: BatchScoringInput) => Promise<BatchScoringResult>;

export interface BatchScoringActivities {
  resolveBatchModel(input: {
    readonly modelName: string;
    readonly version: number | 'champion';
  }): Promise<BatchModel>;
  prepareBatchInput(input: {
    readonly pipelineRunId: number;
    readonly modelName: string;
    readonly model: BatchModel;
    readonly inputUri: string;
    readonly format?: 'parquet' | 'csv' | 'json';
    readonly chunkRows: number;
  }): Promise<BatchPlan>;
  scoreBatchChunk(input: ScoreChunkInput): Promise<ScoredChunk>;
  finishBatchScoring(input: {
    readonly pipelineRunId: number;
    readonly modelName: string;
    readonly model: BatchModel;
    readonly inputUri: string;
    readonly plan: BatchPlan;
    readonly outputUri: string;
    readonly parts: readonly ScoredChunk[];
  }): Promise<{ manifest: ArtifactRef }>;
}
