/**
 * The heavy per-row work of a boosting run (histograms, partitions, gradients, score updates),
 * cut into fixed blocks of rows. Blocks are fixed by the data, never by the thread count, and
 * their partial results are combined in block order on the calling thread, so a model is the same
 * byte for byte whether one thread or several built it.
 */
import type { BinnedData } from './binning.js';
import { accumulateHistograms, HISTOGRAM_STRIDE, type HistogramLayout } from './histogram.js';
import { addLeafValuesBlock, gradientBlock, partitionBlock } from './row-kernels.js';
import {
  runTaskBlock,
  TASK_ADD_LEAF_VALUES,
  TASK_ARGUMENT,
  TASK_CODE,
  TASK_COUNT,
  TASK_GRADIENTS,
  TASK_HISTOGRAM,
  TASK_OUTPUT,
  TASK_PARTITION,
  TASK_START,
  type TaskContext,
  type TaskKernels,
} from './task-blocks.js';
import type { GradientBoostingData, GradientBoostingLoss } from './types.js';

/** Rows per block: large enough that combining block histograms costs little. */
export const BLOCK_ROWS = 1 << 16;

export const TASK_KERNELS: TaskKernels = {
  accumulateHistograms,
  partitionBlock,
  gradientBlock,
  addLeafValuesBlock,
};

/** Runs blocks 0..blockCount-1 of the task described in `context.task`. */
export interface BlockExecutor {
  readonly threadCount: number;
  run(blockCount: number): void;
  close(): void;
}

export class SerialExecutor implements BlockExecutor {
  readonly threadCount = 1;
  constructor(private readonly context: TaskContext) {}
  run(blockCount: number): void {
    for (let block = 0; block < blockCount; block++) runTaskBlock(this.context, TASK_KERNELS, block);
  }
  close(): void {}
}

export function createTaskContext(
  binned: BinnedData,
  layout: HistogramLayout,
  train: GradientBoostingData,
  loss: GradientBoostingLoss,
  classCount: number,
  outputCount: number,
  maxLeaves: number,
  shared: boolean,
): TaskContext {
  const rowCount = binned.rowCount;
  const allocate = (bytes: number): ArrayBuffer | SharedArrayBuffer =>
    shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  const float64 = (length: number): Float64Array => new Float64Array(allocate(length * 8));
  const blockCount = Math.ceil(rowCount / BLOCK_ROWS);
  const target = float64(rowCount);
  target.set(train.target);
  let weights: Float64Array | null = null;
  if (train.weights) {
    weights = float64(rowCount);
    weights.set(train.weights);
  }
  return {
    rowCount,
    blockRows: BLOCK_ROWS,
    loss: loss === 'binary_logloss' ? 0 : loss === 'squared_error' ? 1 : 2,
    classCount,
    totalSlots: layout.totalSlots,
    columns: binned.columns,
    offsets: layout.offsets,
    slots: layout.slots,
    rows: new Uint32Array(allocate(rowCount * 4)),
    scratch: new Uint32Array(allocate(rowCount * 4)),
    gradients: new Float32Array(allocate(outputCount * rowCount * 4)),
    hessians: new Float32Array(allocate(outputCount * rowCount * 4)),
    scores: float64(outputCount * rowCount),
    target,
    weights,
    features: new Int32Array(allocate(binned.columns.length * 4)),
    goesLeft: new Uint8Array(allocate(256)),
    leafStarts: new Int32Array(allocate((maxLeaves + 1) * 4)),
    leafValues: float64(maxLeaves),
    blockHistograms: float64(blockCount * layout.totalSlots * HISTOGRAM_STRIDE),
    blockLeftCounts: new Int32Array(allocate(blockCount * 4)),
    task: new Int32Array(allocate(8 * 4)),
  };
}

export class RowTasks {
  constructor(
    readonly context: TaskContext,
    private readonly executor: BlockExecutor,
  ) {}

  /** Histogram of rows[start..start+count) for the first `featureCount` of `context.features`. */
  histogram(
    start: number,
    count: number,
    featureCount: number,
    output: number,
    histogram: Float64Array,
  ): void {
    const context = this.context;
    const blockCount = Math.ceil(count / BLOCK_ROWS);
    if (blockCount <= 1) {
      const from = output * context.rowCount;
      accumulateHistograms(
        context.columns,
        context.features,
        0,
        featureCount,
        context.offsets,
        context.slots,
        context.rows,
        start,
        count,
        context.gradients,
        context.hessians,
        from,
        histogram,
        0,
      );
      return;
    }
    this.dispatch(TASK_HISTOGRAM, start, count, featureCount, output, blockCount);
    const size = context.totalSlots * HISTOGRAM_STRIDE;
    const partials = context.blockHistograms;
    for (let position = 0; position < featureCount; position++) {
      const feature = context.features[position];
      const begin = context.offsets[feature] * HISTOGRAM_STRIDE;
      const end = begin + context.slots[feature] * HISTOGRAM_STRIDE;
      for (let slot = begin; slot < end; slot++) {
        let sum = partials[slot];
        for (let block = 1; block < blockCount; block++) sum += partials[block * size + slot];
        histogram[slot] = sum;
      }
    }
  }

  /** Stable partition of rows[start..start+count) by `context.goesLeft`; returns the left count. */
  partition(start: number, count: number, feature: number): number {
    const context = this.context;
    const blockCount = Math.ceil(count / BLOCK_ROWS);
    this.dispatch(TASK_PARTITION, start, count, feature, 0, blockCount);
    // Each block left its left rows in place and its right rows in scratch: gather both sides.
    const rows = context.rows;
    let destination = start;
    for (let block = 0; block < blockCount; block++) {
      const blockStart = start + block * BLOCK_ROWS;
      rows.copyWithin(destination, blockStart, blockStart + context.blockLeftCounts[block]);
      destination += context.blockLeftCounts[block];
    }
    const leftCount = destination - start;
    for (let block = 0; block < blockCount; block++) {
      const blockStart = start + block * BLOCK_ROWS;
      const blockEnd = Math.min(blockStart + BLOCK_ROWS, start + count);
      const rightCount = blockEnd - blockStart - context.blockLeftCounts[block];
      rows.set(context.scratch.subarray(blockStart, blockStart + rightCount), destination);
      destination += rightCount;
    }
    return leftCount;
  }

  /** Gradients and hessians of every row and output for the current scores. */
  gradients(): void {
    const rowCount = this.context.rowCount;
    this.dispatch(TASK_GRADIENTS, 0, rowCount, 0, 0, Math.ceil(rowCount / BLOCK_ROWS));
  }

  /** Adds `context.leafValues` to the scores of output `output` for rows[0..positions). */
  addLeafValues(output: number, leafCount: number, positions: number): void {
    this.dispatch(TASK_ADD_LEAF_VALUES, 0, positions, leafCount, output, Math.ceil(positions / BLOCK_ROWS));
  }

  close(): void {
    this.executor.close();
  }

  private dispatch(
    code: number,
    start: number,
    count: number,
    argument: number,
    output: number,
    blocks: number,
  ): void {
    const task = this.context.task;
    task[TASK_CODE] = code;
    task[TASK_START] = start;
    task[TASK_COUNT] = count;
    task[TASK_ARGUMENT] = argument;
    task[TASK_OUTPUT] = output;
    if (blocks > 0) this.executor.run(blocks);
  }
}
