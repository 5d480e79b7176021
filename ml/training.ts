/**
 * What every trainer in ml/ shares: progress reporting, checkpoints and cooperative stopping.
 * The training activity turns progress into Temporal heartbeats and stores checkpoints in S3;
 * ml/ itself only produces and consumes plain JSON-serializable values.
 */
import { InputError } from '../contracts/errors.js';
import { availableParallelism } from 'node:os';

export interface TrainingProgress {
  /** 1-based iteration (L-BFGS step, boosting round). */
  readonly iteration: number;
  /** Training loss after this iteration. */
  readonly loss: number;
  /** Validation metric after this iteration, when a validation set was given. */
  readonly validationMetric?: number;
  readonly validationMetricName?: string;
}

export interface TrainerHooks<Checkpoint> {
  onProgress?(progress: TrainingProgress): void;
  /** Called every `checkpointEvery` iterations with a JSON-serializable snapshot. */
  onCheckpoint?(checkpoint: Checkpoint): void;
  checkpointEvery?: number;
  /** Resume from a checkpoint this trainer produced earlier (same data, same params). */
  resumeFrom?: Checkpoint;
  /** Polled between iterations; returning true stops training with a TrainingCancelledError. */
  shouldStop?(): boolean;
}

export class TrainingCancelledError extends Error {
  override readonly name = 'TrainingCancelledError';
}

/** Input, parameters or data that make training impossible; the message says what to fix. */
export class TrainingInputError extends InputError {
  override name = 'TrainingInputError';
}

/**
 * Threads a trainer uses unless told otherwise: 2 from 200,000 rows on, when the machine has 2 or
 * more cores, else 1 (below that, starting threads costs more than it saves). Never changes a model.
 */
export function defaultThreadCount(rowCount: number): number {
  return rowCount >= 200_000 && availableParallelism() >= 2 ? 2 : 1;
}
