/**
 * The heavy per-row work of a boosting run (histograms, partitions, gradients, score updates),
 * cut into fixed blocks of rows. Blocks are fixed by the data, never by the thread count, and
 * their partial results are combined in block order on the calling thread, so a model is the same
 * byte for byte whether one thread or several built it.
 */
import type { BinnedData } from './binning.js';
import { expandUnitHistogram, selectUnits, type HistogramUnits } from './histogram-units.js';
import { accumulateHistograms, HISTOGRAM_STRIDE, type HistogramLayout } from './histogram.js';
import {
  addLeafValuesBlock,
  gradientBlock,
  identityBlock,
  partitionBlock,
  partitionToScratchBlock,
  scatterBlock,
} from './row-kernels.js';
import {
  runTaskBlock,
  TASK_ADD_LEAF_VALUES,
  TASK_ARGUMENT,
  TASK_CODE,
  TASK_COUNT,
  TASK_GRADIENTS,
  TASK_HISTOGRAM,
  TASK_OUTPUT,
  TASK_IDENTITY,
  TASK_PARTITION,
  TASK_SCATTER,
  TASK_START,
  type TaskContext,
  type TaskKernels,
} from './task-blocks.js';
import type { GradientBoostingData, GradientBoostingLoss } from './types.js';

/**
 * Rows per block: large enough that combining block histograms costs little, small enough that
 * most nodes span several blocks (and so several threads).
 */
export const BLOCK_ROWS = 1 << 15;

export const TASK_KERNELS: TaskKernels = {
  accumulateHistograms,
  partitionBlock,
  partitionToScratchBlock,
  scatterBlock,
  identityBlock,
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
  units: HistogramUnits,
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
    columns: binned.columns,
    unitColumns: units.columns,
    unitOffsets: units.layout.offsets,
    unitSlots: units.layout.slots,
    unitTotalSlots: units.layout.totalSlots,
    units: new Int32Array(allocate(units.members.length * 4)),
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
    blockHistograms: float64(blockCount * units.layout.totalSlots * HISTOGRAM_STRIDE),
    blockLeftCounts: new Int32Array(allocate(blockCount * 4)),
    blockDestinations: new Int32Array(allocate(blockCount * 2 * 4)),
    task: new Int32Array(allocate(8 * 4)),
  };
}

export class RowTasks {
  private unitCount = 0;
  /** The last node's histogram over units, before it is expanded to features. */
  private readonly unitHistogram: Float64Array;

  constructor(
    readonly context: TaskContext,
    private readonly executor: BlockExecutor,
    private readonly units: HistogramUnits,
    private readonly featureLayout: HistogramLayout,
  ) {
    this.unitHistogram = new Float64Array(units.layout.totalSlots * HISTOGRAM_STRIDE);
  }

  /** Uses the first `featureCount` of `context.features` for the histograms that follow. */
  selectFeatures(featureCount: number): void {
    this.unitCount = selectUnits(this.units, this.context.features, featureCount, this.context.units);
  }

  /** Feature histogram of rows[start..start+count) for the selected features. */
  histogram(start: number, count: number, output: number, histogram: Float64Array): void {
    const context = this.context;
    const unitHistogram = this.unitHistogram;
    const blockCount = Math.ceil(count / BLOCK_ROWS);
    if (blockCount <= 1) {
      accumulateHistograms(
        context.unitColumns,
        context.units,
        0,
        this.unitCount,
        context.unitOffsets,
        context.unitSlots,
        context.rows,
        start,
        count,
        context.gradients,
        context.hessians,
        output * context.rowCount,
        unitHistogram,
        0,
      );
    } else {
      this.dispatch(TASK_HISTOGRAM, start, count, this.unitCount, output, blockCount);
      const size = context.unitTotalSlots * HISTOGRAM_STRIDE;
      const partials = context.blockHistograms;
      for (let position = 0; position < this.unitCount; position++) {
        const unit = context.units[position];
        const begin = context.unitOffsets[unit] * HISTOGRAM_STRIDE;
        const end = begin + context.unitSlots[unit] * HISTOGRAM_STRIDE;
        for (let slot = begin; slot < end; slot++) {
          let sum = partials[slot];
          for (let block = 1; block < blockCount; block++) sum += partials[block * size + slot];
          unitHistogram[slot] = sum;
        }
      }
    }
    expandUnitHistogram(
      this.units,
      this.featureLayout,
      context.units,
      this.unitCount,
      unitHistogram,
      histogram,
    );
  }

  /** Stable partition of rows[start..start+count) by `context.goesLeft`; returns the left count. */
  partition(start: number, count: number, feature: number): number {
    const context = this.context;
    const blockCount = Math.ceil(count / BLOCK_ROWS);
    if (blockCount <= 1) {
      // One block: left rows stay in place, right rows come back from scratch.
      this.dispatch(TASK_PARTITION, start, count, feature, 0, blockCount);
      const leftCount = context.blockLeftCounts[0];
      context.rows.set(context.scratch.subarray(start, start + count - leftCount), start + leftCount);
      return leftCount;
    }
    // Blocks partition into scratch, then each copies its two sides to their final places.
    this.dispatch(TASK_PARTITION, start, count, feature, 1, blockCount);
    let leftCount = 0;
    for (let block = 0; block < blockCount; block++) leftCount += context.blockLeftCounts[block];
    let leftDestination = start;
    let rightDestination = start + leftCount;
    for (let block = 0; block < blockCount; block++) {
      const blockRows = Math.min(BLOCK_ROWS, count - block * BLOCK_ROWS);
      context.blockDestinations[2 * block] = leftDestination;
      context.blockDestinations[2 * block + 1] = rightDestination;
      leftDestination += context.blockLeftCounts[block];
      rightDestination += blockRows - context.blockLeftCounts[block];
    }
    this.dispatch(TASK_SCATTER, start, count, 0, 0, blockCount);
    return leftCount;
  }

  /** rows[0..rowCount) = 0..rowCount-1. */
  identityRows(): void {
    const rowCount = this.context.rowCount;
    this.dispatch(TASK_IDENTITY, 0, rowCount, 0, 0, Math.ceil(rowCount / BLOCK_ROWS));
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
