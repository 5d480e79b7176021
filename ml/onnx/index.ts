/**
 * Scoring ONNX models (a command trainer's model.onnx, docs/trainers.md) with onnxruntime-node:
 * the graph bound to the dataset's features, task and classes, predictions shaped as the built-in
 * models' (ml/model/predict.ts). Model bytes in, predictions out: no file system here.
 */
export { OnnxModelError } from './errors.js';
export { type OnnxExpectation, type OnnxFeatureKind, type OnnxTask } from './expectation.js';
export { MISSING_TEXT } from './feature-source.js';
export { converterInputName, type OnnxInputBinding, type OnnxInputType } from './input-binding.js';
export type { OnnxOutputBinding } from './output-binding.js';
export { type FeatureRecord } from './record-source.js';
export {
  DEFAULT_BATCH_ROWS,
  loadOnnxScorer,
  type OnnxBinding,
  type OnnxScorer,
  type OnnxScorerOptions,
} from './scorer.js';
export type { OnnxSessionOptions } from './session.js';
