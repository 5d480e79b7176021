/**
 * Training and batch scoring on a worker thread, so the calling activity's event loop stays free
 * to heartbeat (with the progress and checkpoints posted here) and to react to cancellation.
 *
 * Cancellation: aborting `signal` first asks the trainer to stop between iterations (it then
 * fails with TrainingCancelledError); if it has not stopped after `cancelGraceMs`, the thread is
 * terminated. Either way the promise rejects with TrainingCancelledError. Errors raised in the
 * worker keep their type: TrainingInputError, TrainingCancelledError, ModelDocumentError and
 * FrameError are rebuilt as those classes.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { type Frame, FrameError } from '../frame.js';
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
    ...(options.resumeFrom === undefined ? {} : { resumeFrom: options.resumeFrom }),
  };
  return runJob<ModelDocument>(job, options, stopFlag, (message) => {
    if (message.type === 'progress') options.onProgress?.(message.progress);
    else if (message.type === 'checkpoint') options.onCheckpoint?.(message.checkpoint);
    return message.type === 'trained' ? { done: message.document } : undefined;
  });
}

export function predictFrameInWorker(
  document: ModelDocument | string,
  frame: Frame,
  options: WorkerRunOptions = {},
): Promise<FramePredictions> {
  return runJob<FramePredictions>({ kind: 'score', document, frame }, options, null, (message) =>
    message.type === 'scored' ? { done: message.predictions } : undefined,
  );
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
      error = new Error(serialized.message);
      error.name = serialized.name;
  }
  if (serialized.stack)
    error.stack = `${error.name}: ${error.message}\n    (in the worker thread)\n${serialized.stack.split('\n').slice(1).join('\n')}`;
  return error;
}
