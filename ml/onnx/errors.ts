import { errorTypes, InputError } from '../../contracts/errors.js';

/**
 * A model file that onnxruntime cannot load, or whose graph does not fit the dataset's features,
 * task or classes: the trainer has to export it differently, so retrying cannot help. The message
 * says what the graph declares, what was expected and how to export it.
 */
export class OnnxModelError extends InputError {
  override name = 'OnnxModelError';
  override readonly type: string = errorTypes.invalidModel.type;
}
