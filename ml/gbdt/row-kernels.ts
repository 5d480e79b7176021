/**
 * The per-row loops of boosting besides histograms: partitioning a node's rows (in place, or into
 * scratch and back), computing gradients, adding leaf values to the training state. Each works on
 * one block of rows, so blocks can run on any thread and give the same result.
 *
 * Self-contained on purpose (no closures, no imports, no nested functions): worker threads run
 * their source text.
 */

/**
 * Stable partition of rows[start..end): rows whose bin goes left stay in `rows` from `start` on,
 * the others are copied to `scratch` from `start` on. Returns how many went left.
 */
export function partitionBlock(
  rows: Uint32Array,
  scratch: Uint32Array,
  column: Uint8Array,
  goesLeft: Uint8Array,
  start: number,
  end: number,
): number {
  let leftEnd = start;
  let rightEnd = start;
  // Branch-free: each row is written to both sides and only the matching side advances, which
  // was several times faster than a branch the CPU cannot predict.
  for (let index = start; index < end; index++) {
    const row = rows[index];
    const left = goesLeft[column[row]];
    rows[leftEnd] = row;
    scratch[rightEnd] = row;
    leftEnd += left;
    rightEnd += 1 - left;
  }
  return leftEnd - start;
}

/**
 * Stable partition of rows[start..end) into `scratch`: left rows ascending from `start`, right
 * rows descending from end - 1 (first right row last), so blocks never write outside their own
 * range and can run at the same time. Returns how many went left.
 */
export function partitionToScratchBlock(
  rows: Uint32Array,
  scratch: Uint32Array,
  column: Uint8Array,
  goesLeft: Uint8Array,
  start: number,
  end: number,
): number {
  let leftEnd = start;
  let rightStart = end;
  for (let index = start; index < end; index++) {
    const row = rows[index];
    const left = goesLeft[column[row]];
    // Both free slots get the row (the right one first: when they meet, either write is right).
    scratch[rightStart - 1] = row;
    scratch[leftEnd] = row;
    leftEnd += left;
    rightStart -= 1 - left;
  }
  return leftEnd - start;
}

/**
 * Copies one block partitioned by partitionToScratchBlock back into `rows`: its left rows to
 * leftDestination on, its right rows (in their original order) to rightDestination on.
 */
export function scatterBlock(
  rows: Uint32Array,
  scratch: Uint32Array,
  start: number,
  end: number,
  leftCount: number,
  leftDestination: number,
  rightDestination: number,
): void {
  for (let index = 0; index < leftCount; index++) rows[leftDestination + index] = scratch[start + index];
  const rightCount = end - start - leftCount;
  for (let index = 0; index < rightCount; index++) rows[rightDestination + index] = scratch[end - 1 - index];
}

/** rows[index] = index for index in [start, end): every row, in order. */
export function identityBlock(rows: Uint32Array, start: number, end: number): void {
  for (let index = start; index < end; index++) rows[index] = index;
}

/**
 * Gradients and hessians of rows [from, to) from the training state (class-major layout: output k
 * of row i at k * rowCount + i). `loss`: 0 binary log-loss, whose state is the odds of class 1
 * (e^margin); 1 squared error and 2 softmax, whose state is the raw score.
 */
export function gradientBlock(
  loss: number,
  classCount: number,
  rowCount: number,
  target: Float64Array,
  weights: Float64Array | null,
  scores: Float64Array,
  gradients: Float32Array,
  hessians: Float32Array,
  from: number,
  to: number,
): void {
  if (loss === 0) {
    for (let row = from; row < to; row++) {
      const odds = scores[row];
      const probability = odds === Infinity ? 1 : odds / (1 + odds);
      const weight = weights === null ? 1 : weights[row];
      gradients[row] = (probability - target[row]) * weight;
      hessians[row] = probability * (1 - probability) * weight;
    }
  } else if (loss === 1) {
    for (let row = from; row < to; row++) {
      const weight = weights === null ? 1 : weights[row];
      gradients[row] = (scores[row] - target[row]) * weight;
      hessians[row] = weight;
    }
  } else {
    for (let row = from; row < to; row++) {
      let maximum = -Infinity;
      for (let k = 0; k < classCount; k++) maximum = Math.max(maximum, scores[k * rowCount + row]);
      let sum = 0;
      for (let k = 0; k < classCount; k++) sum += Math.exp(scores[k * rowCount + row] - maximum);
      const weight = weights === null ? 1 : weights[row];
      const label = target[row];
      for (let k = 0; k < classCount; k++) {
        const probability = Math.exp(scores[k * rowCount + row] - maximum) / sum;
        gradients[k * rowCount + row] = (probability - (label === k ? 1 : 0)) * weight;
        hessians[k * rowCount + row] = probability * (1 - probability) * weight;
      }
    }
  }
}

/**
 * Adds each leaf's value to the training state of its rows, for positions [from, to) of `rows`;
 * leaf j holds positions leafStarts[j] .. leafStarts[j + 1] - 1. With `asOdds` the state is the
 * odds e^margin and `leafValues` hold e^value, so adding to the margin is one multiplication and
 * no round needs an exponential per row.
 */
export function addLeafValuesBlock(
  rows: Uint32Array,
  scores: Float64Array,
  scoreOffset: number,
  leafStarts: Int32Array,
  leafValues: Float64Array,
  leafCount: number,
  asOdds: boolean,
  from: number,
  to: number,
): void {
  let leaf = 0;
  while (leaf + 1 < leafCount && leafStarts[leaf + 1] <= from) leaf++;
  for (let position = from; position < to;) {
    const leafEnd = Math.min(leafStarts[leaf + 1], to);
    const value = leafValues[leaf];
    if (asOdds) {
      for (; position < leafEnd; position++) scores[scoreOffset + rows[position]] *= value;
    } else {
      for (; position < leafEnd; position++) scores[scoreOffset + rows[position]] += value;
    }
    leaf++;
  }
}
