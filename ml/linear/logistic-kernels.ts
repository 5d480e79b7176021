/**
 * The per-block passes of the logistic loss: scores, link (loss and residuals), gradient. Each is a
 * tight loop over contiguous typed arrays; no allocation. Kept free of classes and closures so any
 * thread holding the same arrays can run them.
 *
 * The log in the loss is taken of running products instead of per row: softplus(s) =
 * max(s, 0) + log(1 + e^-|s|) and 1 + e^-|s| lies in (1, 2], so the product of a few hundred such
 * factors is a normal double and one log replaces hundreds (same for softmax sums, each <= the
 * class count). The sum of logs equals the log of the product up to a relative rounding of about
 * 1e-13 per flush, far below what the optimizer's tolerances can see.
 */

/** Rows scored together: one block's scores (per output) stay in the fastest cache. */
export const BLOCK_ROWS = 4096;
/**
 * Rows whose loss and gradient are summed together before being added to the total, in chunk
 * order. The unit of work handed to threads; fixed by the data alone, so the result never depends
 * on how many threads ran.
 */
export const CHUNK_ROWS = 65_536;
/** Flush the running product before it could overflow (each factor is at most 2, or the class count). */
export const PRODUCT_FLUSH = 1e280;

export interface LogisticData {
  readonly dense: readonly Float64Array[];
  readonly codes: readonly Int32Array[];
  /** 0/1 per row (binary). */
  readonly labels: Float64Array;
  /** Class index per row (multinomial). */
  readonly classIndex: Int32Array;
  readonly sampleWeights: Float64Array | null;
  readonly weightCount: number;
  /** 1: sigmoid on one score; k >= 3: softmax over k scores. */
  readonly outputs: number;
}

/** Loss of chunk `chunk` (rows [chunk * CHUNK_ROWS, ...)); adds its gradient into `gradient`. */
export function logisticChunk(
  data: LogisticData,
  point: Float64Array,
  chunk: number,
  rowCount: number,
  gradient: Float64Array,
  scores: Float64Array,
): number {
  const chunkEnd = Math.min(rowCount, (chunk + 1) * CHUNK_ROWS);
  let loss = 0;
  for (let start = chunk * CHUNK_ROWS; start < chunkEnd; start += BLOCK_ROWS) {
    loss += logisticBlock(data, point, start, Math.min(start + BLOCK_ROWS, chunkEnd), gradient, scores);
  }
  return loss;
}

/** Sum over rows [start, end) of weighted loss; adds the gradient into `gradient`. */
function logisticBlock(
  data: LogisticData,
  point: Float64Array,
  start: number,
  end: number,
  gradient: Float64Array,
  scores: Float64Array,
): number {
  const outputs = data.outputs;
  addScores(data, point, start, end, scores);
  const loss = outputs === 1 ? sigmoidLink(data, start, end, scores) : softmaxLink(data, start, end, scores);
  addGradient(data, start, end, scores, gradient);
  return loss;
}

/** scores[k * BLOCK_ROWS + i] = intercept_k + x_(start+i)' w_k. */
function addScores(
  data: LogisticData,
  point: Float64Array,
  start: number,
  end: number,
  scores: Float64Array,
): void {
  const { dense, codes, weightCount, outputs } = data;
  const length = end - start;
  for (let output = 0; output < outputs; output += 1) {
    const base = output * BLOCK_ROWS;
    const weightBase = output * weightCount;
    scores.fill(point[outputs * weightCount + output], base, base + length);
    for (let column = 0; column < dense.length; column += 1) {
      const values = dense[column];
      const weight = point[weightBase + column];
      for (let row = 0; row < length; row += 1) scores[base + row] += values[start + row] * weight;
    }
    for (let column = 0; column < codes.length; column += 1) {
      const indices = codes[column];
      for (let row = 0; row < length; row += 1)
        scores[base + row] += point[weightBase + indices[start + row]];
    }
  }
}

/** Loss of each row; replaces its score by its residual (weight * (probability - label)). */
function sigmoidLink(data: LogisticData, start: number, end: number, scores: Float64Array): number {
  const { labels, sampleWeights } = data;
  const length = end - start;
  let loss = 0;
  if (sampleWeights === null) {
    let product = 1;
    for (let row = 0; row < length; row += 1) {
      const score = scores[row];
      const label = labels[start + row];
      const positive = score > 0;
      const decay = Math.exp(positive ? -score : score);
      const inverse = 1 / (1 + decay);
      product *= 1 + decay;
      if (product > PRODUCT_FLUSH) {
        loss += Math.log(product);
        product = 1;
      }
      loss += (positive ? score : 0) - label * score;
      scores[row] = (positive ? inverse : decay * inverse) - label;
    }
    return loss + Math.log(product);
  }
  for (let row = 0; row < length; row += 1) {
    const score = scores[row];
    const label = labels[start + row];
    const weight = sampleWeights[start + row];
    const positive = score > 0;
    const decay = Math.exp(positive ? -score : score);
    const inverse = 1 / (1 + decay);
    loss += weight * ((positive ? score : 0) + Math.log1p(decay) - label * score);
    scores[row] = weight * ((positive ? inverse : decay * inverse) - label);
  }
  return loss;
}

function softmaxLink(data: LogisticData, start: number, end: number, scores: Float64Array): number {
  const { classIndex, sampleWeights, outputs } = data;
  const length = end - start;
  let loss = 0;
  let product = 1;
  for (let row = 0; row < length; row += 1) {
    let largest = -Infinity;
    for (let output = 0; output < outputs; output += 1)
      largest = Math.max(largest, scores[output * BLOCK_ROWS + row]);
    const label = classIndex[start + row];
    const labelScore = scores[label * BLOCK_ROWS + row];
    let expSum = 0;
    for (let output = 0; output < outputs; output += 1) {
      const shifted = Math.exp(scores[output * BLOCK_ROWS + row] - largest);
      scores[output * BLOCK_ROWS + row] = shifted;
      expSum += shifted;
    }
    // -log softmax(label) = log(sum exp(score - largest)) + largest - score(label): no overflow.
    const weight = sampleWeights === null ? 1 : sampleWeights[start + row];
    if (sampleWeights === null) {
      product *= expSum;
      if (product > PRODUCT_FLUSH) {
        loss += Math.log(product);
        product = 1;
      }
      loss += largest - labelScore;
    } else {
      loss += weight * (Math.log(expSum) + largest - labelScore);
    }
    const inverse = 1 / expSum;
    for (let output = 0; output < outputs; output += 1) {
      const index = output * BLOCK_ROWS + row;
      scores[index] = weight * (scores[index] * inverse - (output === label ? 1 : 0));
    }
  }
  return loss + Math.log(product);
}

/** Adds X' residuals (and the residual sums, for the intercepts) into `gradient`. */
function addGradient(
  data: LogisticData,
  start: number,
  end: number,
  residuals: Float64Array,
  gradient: Float64Array,
): void {
  const { dense, codes, weightCount, outputs } = data;
  const length = end - start;
  for (let output = 0; output < outputs; output += 1) {
    const base = output * BLOCK_ROWS;
    const weightBase = output * weightCount;
    let residualSum = 0;
    for (let row = 0; row < length; row += 1) residualSum += residuals[base + row];
    gradient[outputs * weightCount + output] += residualSum;
    for (let column = 0; column < dense.length; column += 1) {
      const values = dense[column];
      let sum = 0;
      for (let row = 0; row < length; row += 1) sum += residuals[base + row] * values[start + row];
      gradient[weightBase + column] += sum;
    }
    for (let column = 0; column < codes.length; column += 1) {
      const indices = codes[column];
      for (let row = 0; row < length; row += 1)
        gradient[weightBase + indices[start + row]] += residuals[base + row];
    }
  }
}

/** Every function a thread needs to run logisticChunk, for building worker source text. */
export const LOGISTIC_KERNEL_FUNCTIONS: readonly ((...args: never[]) => unknown)[] = [
  logisticChunk,
  logisticBlock,
  addScores,
  sigmoidLink,
  softmaxLink,
  addGradient,
];
