/**
 * The tensors of one run: rows [start, end) of every feature, laid out as the input binding says.
 * Compiled once per scoring call (columns looked up, dictionaries converted), then each batch
 * allocates only its own tensors, so memory stays bounded by the batch whatever the row count.
 */
import { Tensor } from 'onnxruntime-node';
import { type FeatureSource, int64FromNumber, type NumberFiller, type TextFiller } from './feature-source.js';
import type { OnnxInputBinding, OnnxInputsBinding } from './input-binding.js';

export type BatchFeeds = (start: number, end: number) => Record<string, Tensor>;

export function compileFeeds(
  binding: OnnxInputsBinding,
  source: FeatureSource,
  timestampFeatures: ReadonlySet<string>,
): BatchFeeds {
  const builders = binding.inputs.map((input) => ({
    name: input.name,
    build: compileInput(input, source, timestampFeatures),
  }));
  return (start, end) => {
    const feeds: Record<string, Tensor> = {};
    for (const { name, build } of builders) feeds[name] = build(start, end);
    return feeds;
  };
}

function compileInput(
  input: OnnxInputBinding,
  source: FeatureSource,
  timestampFeatures: ReadonlySet<string>,
): (start: number, end: number) => Tensor {
  const width = input.features.length;
  const dims = (rows: number) => (input.rank === 1 ? [rows] : [rows, width]);
  if (input.type === 'string') {
    // A string input carries one feature: the matrix form is numeric only (input-binding.ts).
    const fill: TextFiller = source.texts(input.features[0]);
    return (start, end) => {
      const texts = new Array<string>(end - start);
      fill(start, end, texts);
      return new Tensor('string', texts, dims(end - start));
    };
  }
  const fillers: NumberFiller[] = input.features.map((feature) =>
    source.numbers(feature, timestampFeatures.has(feature)),
  );
  const fillRows = (start: number, end: number, target: Float32Array | Float64Array) =>
    fillers.forEach((fill, column) => fill(start, end, target, column, width));
  if (input.type === 'float32') {
    return (start, end) => {
      const values = new Float32Array((end - start) * width);
      fillRows(start, end, values);
      return new Tensor('float32', values, dims(end - start));
    };
  }
  if (input.type === 'float64') {
    return (start, end) => {
      const values = new Float64Array((end - start) * width);
      fillRows(start, end, values);
      return new Tensor('float64', values, dims(end - start));
    };
  }
  return (start, end) => {
    const values = new Float64Array((end - start) * width);
    fillRows(start, end, values);
    return new Tensor('int64', BigInt64Array.from(values, int64FromNumber), dims(end - start));
  };
}
