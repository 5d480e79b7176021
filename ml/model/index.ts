/** Model documents: training, strict loading, serialization and prediction. */
export {
  MODEL_FORMAT,
  type GradientBoostingLearned,
  type InputField,
  type InputType,
  type LearnedParameters,
  type ModelDocument,
  type TargetDescription,
  type TaskType,
  type TrainingSummary,
} from './document.js';
export { ModelDocumentError } from './errors.js';
export { LoadedModel, loadModelDocument } from './load.js';
export {
  predictFrame,
  predictRow,
  predictRowInto,
  type FramePredictions,
  type RowPrediction,
} from './predict.js';
export { serializeModelDocument } from './serialize.js';
export { trainModel, type ModelCheckpoint, type TrainModelRequest } from './train.js';
export type { ClassWeight, ResolvedParams, TrainerName } from './trainer-params.js';
