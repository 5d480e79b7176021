/**
 * Reading the bound output of one run into predictions: probabilities as the model gives them (not
 * renormalized) and the class with the largest, or the regression value.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { OnnxModelError } from './errors.js';
import type { OnnxOutputBinding } from './output-binding.js';

/** The output's values, rows x width row-major; OnnxModelError when the graph returned another size. */
export function outputValues(
  results: InferenceSession.ReturnType,
  output: OnnxOutputBinding,
  rowCount: number,
): Float32Array | Float64Array {
  const tensor: Tensor | undefined = results[output.name];
  const expected =
    output.width === 1 ? `[${rowCount}] or [${rowCount}, 1]` : `[${rowCount}, ${output.width}]`;
  if (!tensor || (tensor.type !== 'float32' && tensor.type !== 'float64')) {
    throw new OnnxModelError(
      `output ${JSON.stringify(output.name)} of the ONNX model came back as ${tensor ? tensor.type : 'nothing'}, ` +
        `not the float tensor ${expected} it declares`,
    );
  }
  if (tensor.dims[0] !== rowCount || tensor.size !== rowCount * output.width) {
    throw new OnnxModelError(
      `output ${JSON.stringify(output.name)} of the ONNX model came back with shape [${tensor.dims.join(', ')}] ` +
        `for ${rowCount} rows; expected ${expected}` +
        (output.width > 1 ? `, one probability per class (${output.width} classes)` : ''),
    );
  }
  return tensor.data as Float32Array | Float64Array;
}

/**
 * The index of the largest of `count` values from `offset`; ties go to the lower index, as for the
 * built-in models. NaN (a model's own doing) never wins; all NaN gives 0.
 */
export function largestIndex(values: Float64Array, offset: number, count: number): number {
  let best = 0;
  let largest = -Infinity;
  for (let index = 0; index < count; index += 1) {
    const value = values[offset + index];
    if (value > largest) {
      largest = value;
      best = index;
    }
  }
  return best;
}
