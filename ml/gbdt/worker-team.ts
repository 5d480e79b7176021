/**
 * Worker threads that run blocks of row tasks over shared memory while the calling thread stays
 * synchronous. The caller publishes a task, then every thread (the caller included) claims blocks
 * from one atomic counter until none are left, and the caller waits for the blocks others claimed.
 * Claiming instead of a fixed share per thread keeps a descheduled worker (the machine is shared)
 * from holding up the rest: at worst the caller runs every block itself. Should a worker fail to
 * run a block, the caller runs what is left and keeps every later block to itself.
 *
 * Workers are started from source text assembled from the kernels' own source (no separate file
 * to resolve, so it works the same from TypeScript sources, compiled output and test runners).
 */
import { Worker } from 'node:worker_threads';
import { accumulateHistograms } from './histogram.js';
import { type BlockExecutor, TASK_KERNELS } from './row-tasks.js';
import {
  addLeafValuesBlock,
  gradientBlock,
  identityBlock,
  partitionBlock,
  partitionToScratchBlock,
  scatterBlock,
} from './row-kernels.js';
import { runTaskBlock, type TaskContext } from './task-blocks.js';

const GENERATION = 0;
/**
 * The claim counter only grows: task blocks are the counter values [BASE, LIMIT). A new task
 * starts past every value an earlier one handed out (each thread makes at most one failed claim
 * per task, far fewer than CLAIM_MARGIN), so a late claim from a finished task can never be
 * mistaken for a block of the next one. LIMIT is read before BASE and written after it.
 */
const BASE = 1;
const LIMIT = 2;
const NEXT_CLAIM = 3;
const COMPLETED = 4;
const FAILED = 5;
const STOP = 6;
const CLAIM_MARGIN = 1024;
/** A claimed block not finished within this time means a worker died; fail rather than hang. */
const TASK_TIMEOUT_MS = 120_000;

const WORKER_SOURCE = `
'use strict';
const { workerData } = require('node:worker_threads');
const kernels = {
  accumulateHistograms: ${accumulateHistograms.toString()},
  partitionBlock: ${partitionBlock.toString()},
  partitionToScratchBlock: ${partitionToScratchBlock.toString()},
  scatterBlock: ${scatterBlock.toString()},
  identityBlock: ${identityBlock.toString()},
  gradientBlock: ${gradientBlock.toString()},
  addLeafValuesBlock: ${addLeafValuesBlock.toString()},
};
const runTaskBlock = ${runTaskBlock.toString()};
const { context, control, blockDone } = workerData;
let seen = 0;
for (;;) {
  Atomics.wait(control, ${GENERATION}, seen);
  seen = Atomics.load(control, ${GENERATION});
  if (Atomics.load(control, ${STOP}) === 1) break;
  for (;;) {
    const claim = Atomics.add(control, ${NEXT_CLAIM}, 1);
    const limit = Atomics.load(control, ${LIMIT});
    const base = Atomics.load(control, ${BASE});
    if (claim < base || claim >= limit) break;
    try {
      runTaskBlock(context, kernels, claim - base);
      blockDone[claim - base] = 1;
    } catch (error) {
      Atomics.store(control, ${FAILED}, 1);
    }
    Atomics.add(control, ${COMPLETED}, 1);
    Atomics.notify(control, ${COMPLETED});
  }
}
`;

export class WorkerTeam implements BlockExecutor {
  private readonly control = new Int32Array(new SharedArrayBuffer(8 * 4));
  /** 1 for each block of the current task that finished. */
  private readonly blockDone: Uint8Array;
  private readonly workers: Worker[] = [];
  /** Set once a worker failed: every block then runs on the calling thread. */
  private serial = false;

  constructor(
    private readonly context: TaskContext,
    readonly threadCount: number,
  ) {
    this.blockDone = new Uint8Array(new SharedArrayBuffer(context.blockLeftCounts.length));
    for (let threadIndex = 1; threadIndex < threadCount; threadIndex++) {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { context, control: this.control, blockDone: this.blockDone },
      });
      worker.unref();
      // A worker that fails to start only means the calling thread runs every block.
      worker.on('error', () => undefined);
      this.workers.push(worker);
    }
  }

  run(blockCount: number): void {
    const control = this.control;
    if (blockCount === 1 || this.serial) {
      for (let block = 0; block < blockCount; block++) runTaskBlock(this.context, TASK_KERNELS, block);
      return;
    }
    this.blockDone.fill(0, 0, blockCount);
    let base = Atomics.load(control, NEXT_CLAIM) + CLAIM_MARGIN;
    // Before the counter could overflow, start again from 0: late claims of the task before are
    // then near 2^30, far past this task's blocks.
    if (base > 1 << 30) base = 0;
    Atomics.store(control, BASE, base);
    Atomics.store(control, LIMIT, base + blockCount);
    Atomics.store(control, COMPLETED, 0);
    Atomics.store(control, NEXT_CLAIM, base);
    Atomics.add(control, GENERATION, 1);
    Atomics.notify(control, GENERATION);
    let completedHere = 0;
    for (;;) {
      const claim = Atomics.add(control, NEXT_CLAIM, 1);
      if (claim >= base + blockCount) break;
      runTaskBlock(this.context, TASK_KERNELS, claim - base);
      this.blockDone[claim - base] = 1;
      completedHere++;
    }
    const completed = Atomics.add(control, COMPLETED, completedHere) + completedHere;
    if (completed < blockCount) this.awaitCompletion(blockCount);
    if (Atomics.load(control, FAILED) === 1) {
      // A worker could not run its code (say, instrumented source): results do not depend on
      // the thread, so finish the blocks it left here and stay on this thread from now on.
      this.serial = true;
      this.close();
      for (let block = 0; block < blockCount; block++) {
        if (this.blockDone[block] === 0) runTaskBlock(this.context, TASK_KERNELS, block);
      }
    }
  }

  close(): void {
    Atomics.store(this.control, STOP, 1);
    Atomics.add(this.control, GENERATION, 1);
    Atomics.notify(this.control, GENERATION);
    for (const worker of this.workers) void worker.terminate();
  }

  private awaitCompletion(blockCount: number): void {
    const deadline = performance.now() + TASK_TIMEOUT_MS;
    for (;;) {
      const completed = Atomics.load(this.control, COMPLETED);
      if (completed >= blockCount) return;
      const left = deadline - performance.now();
      if (left <= 0)
        throw new Error(`gradient boosting worker threads did not finish within ${TASK_TIMEOUT_MS} ms`);
      Atomics.wait(this.control, COMPLETED, completed, left);
    }
  }
}
