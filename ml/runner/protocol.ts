/** Messages between the caller and the training worker thread (all structured-cloneable). */
import type { Frame } from '../frame/frame.js';
import type { FramePredictions, ModelCheckpoint, ModelDocument, TrainModelRequest } from '../model/index.js';
import type { TrainingProgress } from '../training.js';

/** A training request without hooks: the worker reports through messages instead. */
export type WorkerTrainingRequest = Omit<TrainModelRequest, 'hooks'>;

export type WorkerJob =
  | {
      readonly kind: 'train';
      readonly request: WorkerTrainingRequest;
      readonly reportCheckpoints: boolean;
      readonly checkpointEvery?: number;
      /** At most one checkpoint posted per this many milliseconds (the others are not cloned). */
      readonly checkpointIntervalMs?: number;
      readonly resumeFrom?: ModelCheckpoint;
      /** Int32 flag the caller sets to 1 to ask for a cooperative stop. */
      readonly stopFlag: SharedArrayBuffer;
    }
  | { readonly kind: 'score'; readonly document: ModelDocument | string; readonly frame: Frame };

/** An error's identity across the thread boundary (class instances do not survive cloning). */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  /** ModelDocumentError's JSON path. */
  readonly path?: string;
  /** An InputError (of a class not rebuilt by name): rebuilt as one, so it is still bad input. */
  readonly input?: boolean;
}

export type WorkerMessage =
  | { readonly type: 'progress'; readonly progress: TrainingProgress }
  | { readonly type: 'checkpoint'; readonly checkpoint: ModelCheckpoint }
  | { readonly type: 'trained'; readonly document: ModelDocument }
  | { readonly type: 'scored'; readonly predictions: FramePredictions }
  | { readonly type: 'failed'; readonly error: SerializedError };
