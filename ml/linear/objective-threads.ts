/**
 * Worker threads that evaluate chunks of the logistic loss over shared memory while the calling
 * thread stays synchronous (L-BFGS is): the caller publishes the point (a generation counter bump),
 * then every thread, the caller included, claims chunks from a shared counter until none is left,
 * and the caller waits for the others. Claiming (rather than a fixed share per thread) keeps all
 * threads busy when another process takes a core. Each chunk's loss and gradient land in their
 * own slots, summed afterwards in chunk order, so the result is the same bits as a serial one.
 *
 * Workers start from source text assembled from the kernels' own source, as ml/gbdt's do: no file
 * to resolve, so it works alike from TypeScript sources, compiled output and test runners.
 */
import { Worker } from 'node:worker_threads';
import {
  BLOCK_ROWS,
  CHUNK_ROWS,
  LOGISTIC_KERNEL_FUNCTIONS,
  type LogisticData,
  PRODUCT_FLUSH,
} from './logistic-kernels.js';

const GENERATION = 0;
const DONE = 1;
const FAILED = 2;
const STOP = 3;
const READY = 4;
const NEXT_CHUNK = 5;
const STARTUP_TIMEOUT_MS = 15_000;
/** A worker that does not answer within this time is taken for dead rather than waited on forever. */
const TASK_TIMEOUT_MS = 300_000;

const WORKER_SOURCE = `
'use strict';
const { workerData } = require('node:worker_threads');
const BLOCK_ROWS = ${BLOCK_ROWS};
const CHUNK_ROWS = ${CHUNK_ROWS};
const PRODUCT_FLUSH = ${PRODUCT_FLUSH};
${LOGISTIC_KERNEL_FUNCTIONS.map((kernel) => kernel.toString()).join('\n')}
const { data, point, rowCount, chunkLosses, chunkGradients, dimension, control } = workerData;
const chunkCount = chunkLosses.length;
const scores = new Float64Array(data.outputs * BLOCK_ROWS);
Atomics.add(control, ${READY}, 1);
Atomics.notify(control, ${READY});
let seen = 0;
for (;;) {
  Atomics.wait(control, ${GENERATION}, seen);
  const generation = Atomics.load(control, ${GENERATION});
  if (generation === seen) continue;
  seen = generation;
  if (Atomics.load(control, ${STOP}) === 1) break;
  try {
    for (let chunk = Atomics.add(control, ${NEXT_CHUNK}, 1); chunk < chunkCount; chunk = Atomics.add(control, ${NEXT_CHUNK}, 1)) {
      const gradient = chunkGradients.subarray(chunk * dimension, (chunk + 1) * dimension);
      gradient.fill(0);
      chunkLosses[chunk] = logisticChunk(data, point, chunk, rowCount, gradient, scores);
    }
  } catch (error) {
    Atomics.store(control, ${FAILED}, 1);
  }
  Atomics.add(control, ${DONE}, 1);
  Atomics.notify(control, ${DONE});
}
`;

export function chunkCountFor(rowCount: number): number {
  return Math.max(1, Math.ceil(rowCount / CHUNK_ROWS));
}

/** A typed array's contents in shared memory (the same array if it already is). */
export function toShared<Values extends Float64Array | Int32Array>(values: Values): Values {
  if (values.buffer instanceof SharedArrayBuffer) return values;
  const Constructor = values.constructor as new (buffer: SharedArrayBuffer) => Values;
  const shared = new Constructor(new SharedArrayBuffer(values.byteLength));
  shared.set(values);
  return shared;
}

export class ObjectiveThreads {
  private readonly control = new Int32Array(new SharedArrayBuffer(8 * 4));
  private readonly workers: Worker[] = [];
  private started = false;
  /** Set when the workers could not start: every chunk then runs on the calling thread. */
  private serial = false;

  /** `data`, `point`, `chunkLosses` and `chunkGradients` must all live in shared memory. */
  constructor(
    readonly threadCount: number,
    shared: {
      data: LogisticData;
      point: Float64Array;
      rowCount: number;
      chunkLosses: Float64Array;
      chunkGradients: Float64Array;
      dimension: number;
    },
  ) {
    for (let workerIndex = 1; workerIndex < threadCount; workerIndex += 1) {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { ...shared, control: this.control },
      });
      worker.unref();
      // A worker that fails to start shows up as a startup timeout; never crash the process.
      worker.on('error', () => undefined);
      this.workers.push(worker);
    }
  }

  /**
   * Evaluates every chunk, `runChunk` running the ones the calling thread claims. Returns false
   * when the workers are unavailable, in which case the caller runs every chunk itself.
   */
  run(chunkCount: number, runChunk: (chunk: number) => void): boolean {
    if (!this.started) {
      this.started = true;
      if (!this.awaitCount(READY, this.workers.length, STARTUP_TIMEOUT_MS)) {
        this.serial = true;
        this.close();
      }
    }
    if (this.serial) return false;
    const control = this.control;
    Atomics.store(control, DONE, 0);
    Atomics.store(control, NEXT_CHUNK, 0);
    Atomics.add(control, GENERATION, 1);
    Atomics.notify(control, GENERATION);
    for (
      let chunk = Atomics.add(control, NEXT_CHUNK, 1);
      chunk < chunkCount;
      chunk = Atomics.add(control, NEXT_CHUNK, 1)
    ) {
      runChunk(chunk);
    }
    if (!this.awaitCount(DONE, this.workers.length, TASK_TIMEOUT_MS)) {
      throw new Error(`logistic regression worker threads did not finish within ${TASK_TIMEOUT_MS} ms`);
    }
    if (Atomics.load(control, FAILED) === 1) throw new Error('a logistic regression worker thread failed');
    return true;
  }

  close(): void {
    Atomics.store(this.control, STOP, 1);
    Atomics.add(this.control, GENERATION, 1);
    Atomics.notify(this.control, GENERATION);
    for (const worker of this.workers) void worker.terminate();
  }

  /** Waits until control[slot] reaches `expected`; false on timeout. */
  private awaitCount(slot: number, expected: number, timeoutMs: number): boolean {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const current = Atomics.load(this.control, slot);
      if (current >= expected) return true;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      Atomics.wait(this.control, slot, current, left);
    }
  }
}
