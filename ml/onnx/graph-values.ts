/**
 * A graph's inputs and outputs as onnxruntime declares them (`session.inputMetadata`,
 * `session.outputMetadata`): how they read in messages, and the shape facts a binding needs.
 */
import type { InferenceSession } from 'onnxruntime-node';

export type GraphValue = InferenceSession.ValueMetadata;
export type GraphTensor = InferenceSession.TensorValueMetadata;
export type GraphDimension = number | string;

export function isTensor(value: GraphValue): value is GraphTensor {
  return value.isTensor;
}

export function isFloatTensor(value: GraphValue): value is GraphTensor & { type: 'float32' | 'float64' } {
  return value.isTensor && (value.type === 'float32' || value.type === 'float64');
}

/** `[?, 3]`: a free dimension onnxruntime leaves unnamed reads `?`, a named one keeps its name. */
export function shapeText(shape: readonly GraphDimension[]): string {
  return `[${shape.map((dimension) => (dimension === '' ? '?' : String(dimension))).join(', ')}]`;
}

/** `"x" float32 [?, 3]`, or for a sequence or map (ZipMap's output) `"output_probability" (not a tensor)`. */
export function describeValue(value: GraphValue): string {
  const name = JSON.stringify(value.name);
  return isTensor(value) ? `${name} ${value.type} ${shapeText(value.shape)}` : `${name} (not a tensor)`;
}

/** A dimension left for the caller to choose: symbolic, or a negative size some exporters write. */
export function isFreeDimension(dimension: GraphDimension): boolean {
  return typeof dimension === 'string' || dimension < 0;
}

/**
 * How many values a tensor holds per row (its first dimension being the rows): 1 for `[N]`, `k` for
 * `[N, k]`, 'free' when that count is symbolic or the shape is not declared, null for a shape that
 * is not one vector per row (a scalar is not declared apart from an unknown shape, so [] is 'free').
 */
export function valuesPerRow(tensor: GraphTensor): number | 'free' | null {
  const { shape } = tensor;
  if (shape.length === 0) return 'free';
  if (shape.length === 1) return 1;
  if (shape.length === 2) return isFreeDimension(shape[1]) ? 'free' : (shape[1] as number);
  return null;
}

/** True when the first dimension, the rows, is a fixed size instead of left free. */
export function hasFixedRowCount(tensor: GraphTensor): boolean {
  return tensor.shape.length > 0 && !isFreeDimension(tensor.shape[0]);
}
