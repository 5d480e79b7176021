// Starts the training worker from TypeScript source (tests, `node --import tsx`): worker threads do
// not inherit the parent's tsx loader, so register it here, then load the real entry. Compiled
// builds (dist/) start training-worker.js directly and never load this file.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entryUrl);
