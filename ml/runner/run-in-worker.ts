/**
 * Training and batch scoring on a worker thread, so the calling activity's event loop stays free
 * to heartbeat (with the progress and checkpoints posted here) and to react to cancellation.
 *
 * Cancellation: aborting `signal` first asks the trainer to stop between iterations (it then
 * fails with TrainingCancelledError); if it has not stopped after `cancelGraceMs`, the thread is
 * terminated. Either way the promise rejects with TrainingCancelledError. Errors raised in the
 * worker keep their type: TrainingInputError, TrainingCancelledError, ModelDocumentError and
 * FrameError are rebuilt as those classes, any other InputError as an InputError of its name.
 */
import { availableParallelism } from 'node:os';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { InputError } from '../../contracts/errors.js';
import { type Frame, FrameError } from '../frame/frame.js';
import { sliceRows } from '../frame/index.js';
import {
  type FramePredictions,
  type ModelCheckpoint,
  type ModelDocument,
  ModelDocumentError,
} from '../model/index.js';
import { TrainingCancelledError, TrainingInputError, type TrainingProgress } from '../training.js';
import type { SerializedError, WorkerJob, WorkerMessage, WorkerTrainingRequest } from './protocol.js';
import { workerEntry } from './worker-entry.js';

export interface WorkerRunOptions {
  readonly signal?: AbortSignal;
  /** How long a cooperative stop may take before the thread is terminated. Default 2000 ms. */
  readonly cancelGraceMs?: number;
  /** Memory limits of the worker thread (its heap, not the typed arrays' buffers). */
  readonly resourceLimits?: ResourceLimits;
}

export interface WorkerTrainingOptions extends WorkerRunOptions {
  readonly onProgress?: (progress: TrainingProgress) => void;
  readonly onCheckpoint?: (checkpoint: ModelCheckpoint) => void;
  readonly checkpointEvery?: number;
  /** At most one checkpoint reaches `onCheckpoint` per this many milliseconds. */
  readonly checkpointIntervalMs?: number;
  readonly resumeFrom?: ModelCheckpoint;
}

export function trainModelInWorker(
  request: WorkerTrainingRequest,
  options: WorkerTrainingOptions = {},
): Promise<ModelDocument> {
  const stopFlag = new SharedArrayBuffer(4);
  const job: WorkerJob = {
    kind: 'train',
    request,
    reportCheckpoints: options.onCheckpoint !== undefined,
    stopFlag,
    ...(options.checkpointEvery === undefined ? {} : { checkpointEvery: options.checkpointEvery }),
    ...(options.checkpointIntervalMs === undefined
      ? {}
      : { checkpointIntervalMs: options.checkpointIntervalMs }),
    ...(options.resumeFrom === undefined ? {} : { resumeFrom: options.resumeFrom }),
  };
  return runJob<ModelDocument>(job, options, stopFlag, (message) => {
    if (message.type === 'progress') options.onProgress?.(message.progress);
    else if (message.type === 'checkpoint') options.onCheckpoint?.(message.checkpoint);
    return message.type === 'trained' ? { done: message.document } : undefined;
  });
}

/** Below this many rows per thread, starting another thread costs more than it saves. */
const MIN_ROWS_PER_SCORING_THREAD = 50_000;

/**
 * Scores the frame on worker threads: one per core for large frames, each on a contiguous block
 * of rows, joined in row order (so the result equals scoring the frame in one piece).
 */
export async function predictFrameInWorker(
  document: ModelDocument | string,
  frame: Frame,
  options: WorkerRunOptions & { readonly threads?: number } = {},
): Promise<FramePredictions> {
  const threads = Math.max(
    1,
    Math.min(
      options.threads ?? availableParallelism(),
      Math.floor(frame.rowCount / MIN_ROWS_PER_SCORING_THREAD),
    ),
  );
  const score = (part: Frame) =>
    runJob<FramePredictions>({ kind: 'score', document, frame: part }, options, null, (message) =>
      message.type === 'scored' ? { done: message.predictions } : undefined,
    );
  if (threads === 1) return score(frame);
  const bounds = Array.from({ length: threads + 1 }, (_, index) =>
    Math.round((frame.rowCount * index) / threads),
  );
  // sliceRows copies: a cloned view would carry its whole underlying buffer to every thread.
  const parts = await Promise.all(
    bounds.slice(1).map((end, index) => score(sliceRows(frame, bounds[index], end))),
  );
  return joinPredictions(parts);
}

function joinPredictions(parts: readonly FramePredictions[]): FramePredictions {
  const [first] = parts;
  if (first.task === 'regression')
    return {
      task: 'regression',
      values: concat(
        Float64Array,
        parts.map((part) => (part as typeof first).values),
      ),
    };
  const classified = parts as readonly Exclude<FramePredictions, { task: 'regression' }>[];
  return {
    task: first.task,
    classes: first.classes,
    classIndex: concat(
      Int32Array,
      classified.map((part) => part.classIndex),
    ),
    probabilities: concat(
      Float64Array,
      classified.map((part) => part.probabilities),
    ),
  };
}

function concat<T extends Float64Array | Int32Array>(
  Type: { new (length: number): T },
  arrays: readonly T[],
): T {
  const joined = new Type(arrays.reduce((total, array) => total + array.length, 0));
  let offset = 0;
  for (const array of arrays) {
    joined.set(array, offset);
    offset += array.length;
  }
  return joined;
}

function runJob<Result>(
  job: WorkerJob,
  options: WorkerRunOptions,
  stopFlag: SharedArrayBuffer | null,
  handle: (message: WorkerMessage) => { done: Result } | undefined,
): Promise<Result> {
  const { signal } = options;
  if (signal?.aborted)
    return Promise.reject(new TrainingCancelledError('the job was cancelled before it started'));
  const entry = workerEntry();
  return new Promise<Result>((resolve, reject) => {
    const worker = new Worker(entry.url, {
      ...entry.options,
      workerData: { ...job, ...entry.extraData },
      ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
    });
    let settled = false;
    let terminateTimer: ReturnType<typeof setTimeout> | undefined;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (terminateTimer) clearTimeout(terminateTimer);
      outcome();
      void worker.terminate();
    };
    const onAbort = () => {
      if (stopFlag) Atomics.store(new Int32Array(stopFlag), 0, 1);
      terminateTimer = setTimeout(
        () =>
          settle(() =>
            reject(new TrainingCancelledError('the job was cancelled; its worker thread was terminated')),
          ),
        stopFlag ? (options.cancelGraceMs ?? 2000) : 0,
      );
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'failed') {
        settle(() => reject(rebuildError(message.error)));
        return;
      }
      try {
        const outcome = handle(message);
        if (outcome) settle(() => resolve(outcome.done));
      } catch (error) {
        // A throwing progress or checkpoint callback ends the job with the callback's error.
        if (stopFlag) Atomics.store(new Int32Array(stopFlag), 0, 1);
        settle(() => reject(error));
      }
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) =>
      settle(() =>
        reject(
          new Error(
            `the ${job.kind === 'train' ? 'training' : 'scoring'} worker exited with code ${code} before finishing`,
          ),
        ),
      ),
    );
  });
}

function rebuildError(serialized: SerializedError): Error {
  let error: Error;
  switch (serialized.name) {
    case 'TrainingInputError':
      error = new TrainingInputError(serialized.message);
      break;
    case 'TrainingCancelledError':
      error = new TrainingCancelledError(serialized.message);
      break;
    case 'FrameError':
      error = new FrameError(serialized.message);
      break;
    case 'ModelDocumentError':
      error = new ModelDocumentError(serialized.path ?? '$', '');
      error.message = serialized.message;
      break;
    default:
      error = serialized.input ? new InputError(serialized.message) : new Error(serialized.message);
      error.name = serialized.name;
  }
  if (serialized.stack)
    error.stack = `${error.name}: ${error.message}\n    (in the worker thread)\n${serialized.stack.split('\n').slice(1).join('\n')}`;
  return error;
}
