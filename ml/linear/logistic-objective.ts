/**
 * The penalized logistic loss and its gradient: the hot path of logistic regression training.
 *
 *   objective(w, b) = sum_i s_i * loss_i / sum_i s_i + (l2 / 2) * ||w||^2     (intercepts b unpenalized)
 *
 * with s_i the sample (class) weights: scikit-learn's LinearModelLoss, so l2 = 1 / (C * sum_i s_i)
 * reproduces LogisticRegression(C). One output (sigmoid) for two classes, one per class (softmax)
 * beyond. Point layout: output k's weights at [k * weightCount, (k + 1) * weightCount), then the
 * intercepts of every output.
 *
 * Rows are summed in fixed chunks (logistic-kernels.ts), each into its own partial gradient that is
 * then added in chunk order, so the result does not depend on which thread ran which chunk (with
 * `threadCount` > 1, worker threads evaluate chunks in parallel: objective-threads.ts).
 */
import { type LinearDesign, totalSampleWeight } from './design.js';
import { BLOCK_ROWS, logisticChunk, type LogisticData } from './logistic-kernels.js';
import { chunkCountFor, ObjectiveThreads, toShared } from './objective-threads.js';

export class LogisticObjective {
  readonly dimension: number;
  readonly data: LogisticData;
  private readonly rowCount: number;
  private readonly chunkCount: number;
  private readonly chunkLosses: Float64Array;
  /** One gradient per chunk with threads; a single reused one without. */
  private readonly chunkGradients: Float64Array;
  private readonly scores: Float64Array;
  private readonly weightSum: number;
  private readonly threads: ObjectiveThreads | null = null;
  private readonly sharedPoint: Float64Array | null = null;

  constructor(
    private readonly design: LinearDesign,
    /** Class index per row. */
    classIndex: Int32Array,
    sampleWeights: Float64Array | null,
    /** 1 for binary (sigmoid), the class count for multinomial (softmax). */
    readonly outputs: number,
    private readonly l2: number,
    /** Threads evaluating chunks (the calling thread included); the result does not depend on it. */
    threadCount = 1,
  ) {
    const weightCount = design.layout.weightCount;
    this.dimension = outputs * (weightCount + 1);
    this.rowCount = design.rowCount;
    this.chunkCount = chunkCountFor(design.rowCount);
    const threaded = threadCount > 1 && this.chunkCount > 1;
    const share = <Values extends Float64Array | Int32Array>(values: Values): Values =>
      threaded ? toShared(values) : values;
    this.data = {
      dense: design.dense.map(share),
      codes: design.codes.map(share),
      labels: share(outputs === 1 ? Float64Array.from(classIndex) : new Float64Array(0)),
      classIndex: share(classIndex),
      sampleWeights: sampleWeights && share(sampleWeights),
      weightCount,
      outputs,
    };
    this.scores = new Float64Array(outputs * BLOCK_ROWS);
    this.chunkLosses = share(new Float64Array(this.chunkCount));
    this.chunkGradients = share(new Float64Array((threaded ? this.chunkCount : 1) * this.dimension));
    if (threaded) {
      this.sharedPoint = share(new Float64Array(this.dimension));
      this.threads = new ObjectiveThreads(Math.min(threadCount, this.chunkCount), {
        data: this.data,
        point: this.sharedPoint,
        rowCount: this.rowCount,
        chunkLosses: this.chunkLosses,
        chunkGradients: this.chunkGradients,
        dimension: this.dimension,
      });
    }
    this.weightSum = totalSampleWeight(sampleWeights, design.rowCount);
  }

  readonly evaluate = (point: Float64Array, gradient: Float64Array): number => {
    gradient.fill(0);
    let loss = 0;
    const dimension = this.dimension;
    if (this.threads !== null && this.sharedPoint !== null) {
      const sharedPoint = this.sharedPoint;
      sharedPoint.set(point);
      const ran = this.threads.run(this.chunkCount, (chunk) => this.runChunk(sharedPoint, chunk, chunk));
      if (ran) {
        // Sum in chunk order: the same additions, in the same order, as the serial path below.
        for (let chunk = 0; chunk < this.chunkCount; chunk += 1) {
          loss += this.chunkLosses[chunk];
          const offset = chunk * dimension;
          for (let index = 0; index < dimension; index += 1)
            gradient[index] += this.chunkGradients[offset + index];
        }
        return this.finishPenalized(point, gradient, loss);
      }
    }
    for (let chunk = 0; chunk < this.chunkCount; chunk += 1) {
      const slot = this.threads === null ? 0 : chunk;
      this.runChunk(point, chunk, slot);
      loss += this.chunkLosses[chunk];
      const offset = slot * dimension;
      for (let index = 0; index < dimension; index += 1)
        gradient[index] += this.chunkGradients[offset + index];
    }
    return this.finishPenalized(point, gradient, loss);
  };

  /** Stops the worker threads, if any; evaluation then runs on the calling thread. */
  close(): void {
    this.threads?.close();
  }

  private runChunk(point: Float64Array, chunk: number, slot: number): void {
    const gradient = this.chunkGradients.subarray(slot * this.dimension, (slot + 1) * this.dimension);
    gradient.fill(0);
    this.chunkLosses[chunk] = logisticChunk(this.data, point, chunk, this.rowCount, gradient, this.scores);
  }

  /** Turns the summed loss and gradient into the penalized mean objective (in place). */
  private finishPenalized(point: Float64Array, gradient: Float64Array, loss: number): number {
    const inverseWeightSum = 1 / this.weightSum;
    const penalized = this.outputs * this.design.layout.weightCount;
    let squaredNorm = 0;
    for (let index = 0; index < penalized; index += 1) {
      squaredNorm += point[index] * point[index];
      gradient[index] = gradient[index] * inverseWeightSum + this.l2 * point[index];
    }
    for (let index = penalized; index < gradient.length; index += 1) gradient[index] *= inverseWeightSum;
    return loss * inverseWeightSum + 0.5 * this.l2 * squaredNorm;
  }
}
