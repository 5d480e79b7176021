/**
 * The worker thread's entry: runs one job (training or batch scoring) and reports through messages.
 * Keeping CPU-heavy work here leaves the caller's event loop free to heartbeat and to cancel.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { InputError } from '../../contracts/errors.js';
import { loadModelDocument, ModelDocumentError, predictFrame, trainModel } from '../model/index.js';
import type { SerializedError, WorkerJob, WorkerMessage } from './protocol.js';

function post(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  parentPort?.postMessage(message, transfer);
}

function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    ...(error instanceof ModelDocumentError ? { path: error.path } : {}),
    ...(error instanceof InputError ? { input: true } : {}),
  };
}

function run(job: WorkerJob): void {
  if (job.kind === 'score') {
    const predictions = predictFrame(loadModelDocument(job.document), job.frame);
    const buffers =
      predictions.task === 'regression'
        ? [predictions.values.buffer]
        : [predictions.classIndex.buffer, predictions.probabilities.buffer];
    post({ type: 'scored', predictions }, buffers as ArrayBuffer[]);
    return;
  }
  const stopFlag = new Int32Array(job.stopFlag);
  // Spaced here, in the thread: each posted checkpoint is a structured clone the caller's event
  // loop has to take in, and one every few rounds of a fast model starves its heartbeats.
  const interval = job.checkpointIntervalMs ?? 0;
  let lastPosted = Date.now();
  const document = trainModel({
    ...job.request,
    hooks: {
      onProgress: (progress) => post({ type: 'progress', progress }),
      onCheckpoint: job.reportCheckpoints
        ? (checkpoint) => {
            if (Date.now() - lastPosted < interval) return;
            lastPosted = Date.now();
            post({ type: 'checkpoint', checkpoint });
          }
        : undefined,
      checkpointEvery: job.checkpointEvery,
      resumeFrom: job.resumeFrom,
      shouldStop: () => Atomics.load(stopFlag, 0) === 1,
    },
  });
  post({ type: 'trained', document });
}

try {
  run(workerData as WorkerJob);
} catch (error) {
  post({ type: 'failed', error: serializeError(error) });
}
