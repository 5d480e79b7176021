/**
 * Scoring a command trainer's model.onnx as the platform's evaluation, serving and monitoring do:
 * the graph is bound to the dataset's features, task and classes once, when it is loaded, and
 * every prediction has the shape the built-in models give (ml/model/predict.ts).
 */
import type { InferenceSession } from 'onnxruntime-node';
import type { Frame } from '../frame/frame.js';
import type { FramePredictions, RowPrediction } from '../model/predict.js';
import { OnnxModelError } from './errors.js';
import { checkExpectation, type OnnxExpectation, type OnnxTask } from './expectation.js';
import type { FeatureSource } from './feature-source.js';
import { frameFeatureSource } from './frame-source.js';
import { bindInputs, type OnnxInputBinding } from './input-binding.js';
import { compileFeeds } from './input-feeds.js';
import { bindOutput, type OnnxOutputBinding } from './output-binding.js';
import { largestIndex, outputValues } from './output-values.js';
import { type FeatureRecord, recordFeatureSource } from './record-source.js';
import { createOnnxSession, onnxruntimeReason, type OnnxSessionOptions } from './session.js';

/** Rows per run when scoring a frame: a few MB of tensors per feature, whatever the frame's size. */
export const DEFAULT_BATCH_ROWS = 65_536;

export interface OnnxScorerOptions extends OnnxSessionOptions {
  /** Rows per session.run in predictFrame (default DEFAULT_BATCH_ROWS). */
  readonly batchRows?: number;
}

/** How the graph was bound, for lineage and logs (plain JSON). */
export interface OnnxBinding {
  readonly layout: 'per-feature' | 'matrix';
  readonly inputs: readonly OnnxInputBinding[];
  /** The output read: the class probabilities, or the regression value. */
  readonly output: OnnxOutputBinding;
  /** The graph's other outputs (a label, say), never fetched. */
  readonly ignoredOutputs: readonly string[];
}

export interface OnnxScorer {
  readonly task: OnnxTask;
  /** The class labels, in the order of every probability vector; null for regression. */
  readonly classes: readonly string[] | null;
  readonly features: readonly string[];
  readonly binding: OnnxBinding;
  /** Scores every row of `frame` (which must hold every feature column, by name), in batches. */
  predictFrame(frame: Frame): Promise<FramePredictions>;
  /** Scores serving's JSON instances in one run; values are read as for the built-in models. */
  predictRecords(records: readonly FeatureRecord[]): Promise<RowPrediction[]>;
  /** Frees the session once the runs under way have finished; the scorer cannot be used after. */
  release(): Promise<void>;
}

/**
 * Loads model bytes and binds the graph to `expectation`. Throws OnnxModelError (an InputError of
 * type InvalidModel) when onnxruntime cannot load them or the graph does not fit.
 */
export async function loadOnnxScorer(
  bytes: Uint8Array,
  expectation: OnnxExpectation,
  options: OnnxScorerOptions = {},
): Promise<OnnxScorer> {
  checkExpectation(expectation);
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  if (!Number.isInteger(batchRows) || batchRows < 1) {
    throw new RangeError(`batchRows must be a positive integer, not ${batchRows}`);
  }
  const session = await createOnnxSession(bytes, options);
  try {
    const inputs = bindInputs(session.inputMetadata, expectation);
    const output = bindOutput(session.outputMetadata, expectation);
    const binding: OnnxBinding = {
      ...inputs,
      output,
      ignoredOutputs: session.outputNames.filter((name) => name !== output.name),
    };
    return new SessionScorer(session, expectation, binding, batchRows);
  } catch (error) {
    await session.release();
    throw error;
  }
}

class SessionScorer implements OnnxScorer {
  readonly task: OnnxTask;
  readonly classes: readonly string[] | null;
  readonly features: readonly string[];
  readonly #timestampFeatures: ReadonlySet<string>;
  readonly #runs = new Set<Promise<unknown>>();
  #released = false;

  constructor(
    private readonly session: InferenceSession,
    expectation: OnnxExpectation,
    readonly binding: OnnxBinding,
    private readonly batchRows: number,
  ) {
    this.task = expectation.task;
    this.classes = expectation.classes === null ? null : Object.freeze([...expectation.classes]);
    this.features = Object.freeze([...expectation.features]);
    this.#timestampFeatures = new Set(expectation.timestampFeatures ?? []);
  }

  async predictFrame(frame: Frame): Promise<FramePredictions> {
    const { rowCount } = frame;
    const width = this.binding.output.width;
    const values = new Float64Array(rowCount * width);
    const feeds = this.#feeds(frameFeatureSource(frame));
    for (let start = 0; start < rowCount; start += this.batchRows) {
      const end = Math.min(rowCount, start + this.batchRows);
      values.set(await this.#run(feeds(start, end), end - start), start * width);
    }
    if (this.task === 'regression') return { task: 'regression', values };
    const classIndex = new Int32Array(rowCount);
    for (let row = 0; row < rowCount; row += 1) classIndex[row] = largestIndex(values, row * width, width);
    return { task: this.task, classes: this.classes ?? [], classIndex, probabilities: values };
  }

  async predictRecords(records: readonly FeatureRecord[]): Promise<RowPrediction[]> {
    const feeds = this.#feeds(recordFeatureSource(records));
    if (records.length === 0) return [];
    const output = await this.#run(feeds(0, records.length), records.length);
    const width = this.binding.output.width;
    const predictions: RowPrediction[] = [];
    for (let row = 0; row < records.length; row += 1) {
      if (this.task === 'regression') {
        predictions.push({ task: 'regression', value: output[row] });
        continue;
      }
      const classes = this.classes ?? [];
      const probabilities = Float64Array.from(output.subarray(row * width, (row + 1) * width));
      const classIndex = largestIndex(probabilities, 0, width);
      predictions.push({ task: this.task, label: classes[classIndex], classIndex, probabilities });
    }
    return predictions;
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    await Promise.allSettled(this.#runs);
    await this.session.release();
  }

  #feeds(source: FeatureSource) {
    if (this.#released) throw new Error('this ONNX scorer was released');
    return compileFeeds(this.binding, source, this.#timestampFeatures);
  }

  /** One session.run of `rowCount` rows, fetching the bound output only (a ZipMap label is never built). */
  async #run(feeds: InferenceSession.FeedsType, rowCount: number): Promise<Float32Array | Float64Array> {
    if (this.#released) throw new Error('this ONNX scorer was released');
    const output = this.binding.output;
    const run = this.session.run(feeds, [output.name]);
    this.#runs.add(run);
    let results: InferenceSession.ReturnType;
    try {
      results = await run;
    } catch (error) {
      throw new OnnxModelError(
        `the ONNX model failed to run on ${rowCount} rows: ${onnxruntimeReason(error)}`,
      );
    } finally {
      this.#runs.delete(run);
    }
    return outputValues(results, output, rowCount);
  }
}
