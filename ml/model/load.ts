/**
 * Loading a model document for scoring: strict validation (validate-document.ts), then the
 * compiled form row-wise and column-wise scoring use.
 */
import type { ModelDocument, TaskType } from './document.js';
import { ModelPredictor } from './predictor.js';
import { parseModelDocumentText, validateModelDocument } from './validate-document.js';

export class LoadedModel {
  readonly task: TaskType;
  /** Class labels (classification), in the order of every probability array; null for regression. */
  readonly classes: readonly string[] | null;
  /** @internal Compiled scoring state, with scratch buffers reused between rows. */
  readonly predictor: ModelPredictor;
  /** @internal */
  readonly scores: Float64Array;

  constructor(readonly document: ModelDocument) {
    this.task = document.task;
    this.classes = document.target.classes ?? null;
    this.predictor = new ModelPredictor(document);
    this.scores = new Float64Array(this.predictor.outputCount);
  }
}

/**
 * Validates `source` (JSON text, or a value parsed from JSON) and prepares it for scoring.
 * Throws ModelDocumentError, and nothing else, for anything that is not a valid document.
 */
export function loadModelDocument(source: string | unknown): LoadedModel {
  const value = typeof source === 'string' ? parseModelDocumentText(source) : source;
  return new LoadedModel(validateModelDocument(value));
}
