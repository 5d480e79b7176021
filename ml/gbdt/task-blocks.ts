/**
 * The row-parallel work of one boosting run, described as data: a task code and arguments in a
 * small integer array, applied to one block of rows. The calling thread and worker threads run
 * the very same `runTaskBlock` (workers from its source text), so which thread runs a block never
 * changes a result.
 */
import type { accumulateHistograms } from './histogram.js';
import type {
  addLeafValuesBlock,
  gradientBlock,
  identityBlock,
  partitionBlock,
  partitionToScratchBlock,
  scatterBlock,
} from './row-kernels.js';

export const TASK_HISTOGRAM = 1;
export const TASK_PARTITION = 2;
export const TASK_GRADIENTS = 3;
export const TASK_ADD_LEAF_VALUES = 4;
export const TASK_SCATTER = 5;
export const TASK_IDENTITY = 6;

/** Argument slots in `TaskContext.task`. */
export const TASK_CODE = 0;
export const TASK_START = 1;
export const TASK_COUNT = 2;
/** Histogram: active unit count; partition: feature; leaf values: leaf count. */
export const TASK_ARGUMENT = 3;
/**
 * Histogram: output whose gradients to use; leaf values: output whose scores to update;
 * partition: 1 to partition into scratch (for a scatter task after), 0 to partition in place.
 */
export const TASK_OUTPUT = 4;

export interface TaskKernels {
  accumulateHistograms: typeof accumulateHistograms;
  partitionBlock: typeof partitionBlock;
  partitionToScratchBlock: typeof partitionToScratchBlock;
  scatterBlock: typeof scatterBlock;
  identityBlock: typeof identityBlock;
  gradientBlock: typeof gradientBlock;
  addLeafValuesBlock: typeof addLeafValuesBlock;
}

/** Every array is a view of shared memory when worker threads take part. */
export interface TaskContext {
  rowCount: number;
  /** Rows per block: the unit of work, fixed by the data alone. */
  blockRows: number;
  /** 0 binary log-loss, 1 squared error, 2 softmax. */
  loss: number;
  classCount: number;
  /** Bin columns of the features (partitions read these). */
  columns: Uint8Array[];
  /** Histogram units (see histogram-units.ts): their columns and histogram layout. */
  unitColumns: Uint8Array[];
  unitOffsets: Int32Array;
  unitSlots: Int32Array;
  unitTotalSlots: number;
  /** Units of the current tree's features. */
  units: Int32Array;
  rows: Uint32Array;
  scratch: Uint32Array;
  gradients: Float32Array;
  hessians: Float32Array;
  /** Training state per row and output: the odds e^margin for binary log-loss, else the raw score. */
  scores: Float64Array;
  target: Float64Array;
  weights: Float64Array | null;
  /** Features of the current tree. */
  features: Int32Array;
  /** Split being applied: 1 for bins (missing bin included) that go left. */
  goesLeft: Uint8Array;
  leafStarts: Int32Array;
  leafValues: Float64Array;
  /** One histogram per block of a node too large for a single block. */
  blockHistograms: Float64Array;
  blockLeftCounts: Int32Array;
  /** Per block of a partition: where its left rows and its right rows go. */
  blockDestinations: Int32Array;
  task: Int32Array;
}

/**
 * Runs block `block` of the task in `context.task`. No imports may be used here (workers run this
 * source text), so task codes and the histogram stride appear as the literal values of the
 * constants above.
 */
export function runTaskBlock(context: TaskContext, kernels: TaskKernels, block: number): void {
  const task = context.task;
  const code = task[0];
  const start = task[1] + block * context.blockRows;
  const end = Math.min(task[1] + task[2], start + context.blockRows);
  if (code === 1) {
    const size = context.unitTotalSlots * 4;
    const gradientStart = task[4] * context.rowCount;
    kernels.accumulateHistograms(
      context.unitColumns,
      context.units,
      0,
      task[3],
      context.unitOffsets,
      context.unitSlots,
      context.rows,
      start,
      end - start,
      context.gradients,
      context.hessians,
      gradientStart,
      context.blockHistograms,
      block * size,
    );
  } else if (code === 2) {
    const partition = task[4] === 1 ? kernels.partitionToScratchBlock : kernels.partitionBlock;
    const column = context.columns[task[3]];
    context.blockLeftCounts[block] = partition(
      context.rows,
      context.scratch,
      column,
      context.goesLeft,
      start,
      end,
    );
  } else if (code === 3) {
    kernels.gradientBlock(
      context.loss,
      context.classCount,
      context.rowCount,
      context.target,
      context.weights,
      context.scores,
      context.gradients,
      context.hessians,
      start,
      end,
    );
  } else if (code === 4) {
    kernels.addLeafValuesBlock(
      context.rows,
      context.scores,
      task[4] * context.rowCount,
      context.leafStarts,
      context.leafValues,
      task[3],
      context.loss === 0,
      start,
      end,
    );
  } else if (code === 5) {
    const leftCount = context.blockLeftCounts[block];
    const destinations = context.blockDestinations;
    kernels.scatterBlock(
      context.rows,
      context.scratch,
      start,
      end,
      leftCount,
      destinations[2 * block],
      destinations[2 * block + 1],
    );
  } else if (code === 6) {
    kernels.identityBlock(context.rows, start, end);
  }
}
