/**
 * Raw scores of a loaded model, row-wise (serving: scratch buffers reused, nothing allocated per
 * row) and column-wise (batch scoring). Both add the same terms in the same order per row and
 * output (intercept, then features in order), so their results are identical.
 */
import { type Frame, FrameError, getColumn } from '../frame/frame.js';
import type { FeatureEncoderSpec } from '../encoders/feature-set.js';
import { encoderCodes, rawNumericValues } from '../encoders/frame-values.js';
import { numericFromRecordValue, textFromRecordValue } from '../encoders/record-values.js';
import {
  type GradientBoostingModel,
  predictGradientBoostingColumns,
  predictGradientBoostingRow,
} from '../gbdt/index.js';
import { linearLayout } from '../linear/design.js';
import type { ModelDocument } from './document.js';
import { compileFeatureInputs, type FeatureInput, standardizedValue } from './feature-inputs.js';
import { gradientBoostingFeatures } from './gradient-boosting-input.js';

export class ModelPredictor {
  readonly outputCount: number;
  private readonly inputs: FeatureInput[];
  private readonly encoders: readonly FeatureEncoderSpec[];
  private readonly timestampFeatures: ReadonlySet<string>;
  /** Linear models: output k's weights at [k * weightCount, ...), and one intercept per output. */
  private readonly weights: Float64Array;
  private readonly intercepts: Float64Array;
  private readonly weightCount: number;
  private readonly gradientBoosting: GradientBoostingModel | null;
  private readonly gradientBoostingRow: Float64Array;

  constructor(document: ModelDocument) {
    this.encoders = document.encoders;
    this.timestampFeatures = new Set(
      document.inputSchema.filter((input) => input.type === 'timestamp').map((input) => input.name),
    );
    const layout = linearLayout(document.encoders);
    this.inputs = compileFeatureInputs(document.encoders, layout.slots, this.timestampFeatures);
    this.weightCount = layout.weightCount;
    const { learned } = document;
    if (learned.kind === 'linear') {
      this.outputCount = learned.intercepts.length;
      this.weights = Float64Array.from(learned.coefficients.flat());
      this.intercepts = Float64Array.from(learned.intercepts);
      this.gradientBoosting = null;
    } else {
      this.outputCount = learned.model.baseScores.length;
      this.weights = new Float64Array(0);
      this.intercepts = new Float64Array(0);
      this.gradientBoosting = learned.model;
    }
    this.gradientBoostingRow = new Float64Array(this.inputs.length);
  }

  /** Writes the raw scores of one record into `scores` (length outputCount). */
  scoreRecord(record: Readonly<Record<string, unknown>>, scores: Float64Array): void {
    if (this.gradientBoosting !== null) {
      const row = this.gradientBoostingRow;
      for (let feature = 0; feature < this.inputs.length; feature += 1) {
        const input = this.inputs[feature];
        const value = input.inherited && !Object.hasOwn(record, input.name) ? undefined : record[input.name];
        row[feature] =
          input.kind === 'numeric'
            ? numericFromRecordValue(value, input.isTimestamp)
            : gradientBoostingCode(input, value);
      }
      predictGradientBoostingRow(this.gradientBoosting, row, scores);
      return;
    }
    const outputs = this.outputCount;
    const weights = this.weights;
    const weightCount = this.weightCount;
    scores.set(this.intercepts);
    for (let feature = 0; feature < this.inputs.length; feature += 1) {
      const input = this.inputs[feature];
      const value = input.inherited && !Object.hasOwn(record, input.name) ? undefined : record[input.name];
      if (input.kind === 'numeric') {
        const raw = numericFromRecordValue(value, input.isTimestamp);
        const standardized = standardizedValue(input, raw);
        for (let output = 0; output < outputs; output += 1)
          scores[output] += weights[output * weightCount + input.valueIndex] * standardized;
        if (input.indicatorIndex >= 0) {
          const indicator = raw === raw ? 0 : 1;
          for (let output = 0; output < outputs; output += 1)
            scores[output] += weights[output * weightCount + input.indicatorIndex] * indicator;
        }
      } else {
        const weightIndex = input.offset + linearCode(input, value);
        for (let output = 0; output < outputs; output += 1)
          scores[output] += weights[output * weightCount + weightIndex];
      }
    }
  }

  /** Raw scores of every row of `frame`, row-major (rowCount x outputCount). */
  scoreFrame(frame: Frame): Float64Array {
    const outputs = this.outputCount;
    const scores = new Float64Array(frame.rowCount * outputs);
    for (const encoder of this.encoders) columnOf(frame, encoder.name);
    if (this.gradientBoosting !== null) {
      predictGradientBoostingColumns(
        this.gradientBoosting,
        gradientBoostingFeatures(frame, this.encoders, this.timestampFeatures),
        scores,
      );
      return scores;
    }
    const weights = this.weights;
    const weightCount = this.weightCount;
    for (let row = 0; row < frame.rowCount; row += 1) scores.set(this.intercepts, row * outputs);
    this.inputs.forEach((input, feature) => {
      const column = columnOf(frame, input.name);
      if (input.kind === 'numeric') {
        const raw = rawNumericValues(column, input.isTimestamp);
        for (let row = 0; row < frame.rowCount; row += 1) {
          const standardized = standardizedValue(input, raw[row]);
          const base = row * outputs;
          for (let output = 0; output < outputs; output += 1)
            scores[base + output] += weights[output * weightCount + input.valueIndex] * standardized;
          if (input.indicatorIndex >= 0) {
            const indicator = raw[row] === raw[row] ? 0 : 1;
            for (let output = 0; output < outputs; output += 1)
              scores[base + output] += weights[output * weightCount + input.indicatorIndex] * indicator;
          }
        }
        return;
      }
      const encoder = this.encoders[feature];
      const codes =
        encoder.kind === 'categorical'
          ? encoderCodes(encoder, column, input.lookup)
          : new Int32Array(frame.rowCount);
      for (let row = 0; row < frame.rowCount; row += 1) {
        const base = row * outputs;
        const weightIndex = input.offset + codes[row];
        for (let output = 0; output < outputs; output += 1)
          scores[base + output] += weights[output * weightCount + weightIndex];
      }
    });
    return scores;
  }
}

function columnOf(frame: Frame, name: string) {
  try {
    return getColumn(frame, name);
  } catch (error) {
    if (error instanceof FrameError)
      throw new FrameError(`the frame to score lacks the model's feature: ${error.message}`);
    throw error;
  }
}

/** The encoder code of a record value: kept category, other, unknown or missing bucket. */
function linearCode(input: Extract<FeatureInput, { kind: 'categorical' }>, value: unknown): number {
  const text = textFromRecordValue(value);
  if (text === null) return input.missingCode;
  if (text === undefined) return input.unknownCode;
  return input.lookup.get(text) ?? input.unknownCode;
}

/** As linearCode, with missing as gradient boosting's -1 (see gradient-boosting-input.ts). */
function gradientBoostingCode(input: Extract<FeatureInput, { kind: 'categorical' }>, value: unknown): number {
  const code = linearCode(input, value);
  return code === input.missingCode ? -1 : code;
}
