/** Training and batch scoring on worker threads, with progress, checkpoints and cancellation. */
export {
  predictFrameInWorker,
  trainModelInWorker,
  type WorkerRunOptions,
  type WorkerTrainingOptions,
} from './run-in-worker.js';
export type { WorkerTrainingRequest } from './protocol.js';
