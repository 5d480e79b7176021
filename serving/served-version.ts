import { createHash } from 'node:crypto';
import type { ServedVersionRef } from '../db/queries/serving.js';
import { loadModelDocument, type InputField, type LoadedModel } from '../ml/model/index.js';
import type { ArtifactStore } from '../storage/artifact-store.js';
import { compileInstanceValidator, type InstanceValidator } from './input-validator.js';

/** One model version in memory, ready to score. Immutable once built; requests hold on to it. */
export interface ServedVersion {
  readonly modelName: string;
  readonly modelVersionId: number;
  readonly version: number;
  readonly model: LoadedModel;
  readonly inputs: readonly InputField[];
  readonly validate: InstanceValidator;
  /** Class labels (classification), in probability order; null for regression. */
  readonly classes: readonly string[] | null;
  /** Scratch space for one row's class probabilities (scoring is synchronous, so one per version is enough). */
  readonly scratch: Float64Array;
}

// Model documents are JSON of a few kilobytes to some megabytes; anything far larger is not one.
const MAX_MODEL_BYTES = 512 * 1024 * 1024;

export class ModelFileError extends Error {
  override readonly name = 'ModelFileError';
}

/**
 * Reads a version's model document from S3, checks it against the sha256 the registry recorded
 * and validates it (a model document is data: loading evaluates nothing).
 */
export async function loadServedVersion(
  store: ArtifactStore,
  modelName: string,
  ref: ServedVersionRef,
): Promise<ServedVersion> {
  if (!ref.modelFile) {
    throw new ModelFileError(
      `${modelName} v${ref.version} has no model file in the registry: it cannot be served`,
    );
  }
  const bytes = await store.getBuffer(store.keyOf(ref.modelFile.uri), MAX_MODEL_BYTES);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== ref.modelFile.sha256) {
    throw new ModelFileError(
      `${modelName} v${ref.version}: ${ref.modelFile.uri} has sha256 ${sha256}, not the registered ${ref.modelFile.sha256}; the file was changed after registration`,
    );
  }
  const model = loadModelDocument(bytes.toString('utf8'));
  return {
    modelName,
    modelVersionId: ref.modelVersionId,
    version: ref.version,
    model,
    inputs: model.document.inputSchema,
    validate: compileInstanceValidator(model.document.inputSchema),
    classes: model.classes,
    scratch: new Float64Array(model.classes?.length ?? 0),
  };
}
