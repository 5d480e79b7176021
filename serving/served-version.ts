import { createHash } from 'node:crypto';
import { isOnnxModelDocument, onnxExpectation, type OnnxModelDocument } from '../contracts/onnx-model.js';
import type { ServedPiiRules, ServedVersionRef } from '../db/queries/serving.js';
import { loadModelDocument, predictRowInto, type InputField, type TaskType } from '../ml/model/index.js';
import { loadOnnxScorer } from '../ml/onnx/index.js';
import { hashPiiText } from '../ml/pii-hash.js';
import type { ArtifactStore } from '../storage/artifact-store.js';
import {
  compileImputedFields,
  compileInstanceValidator,
  type InputRules,
  type InstanceValidator,
} from './input-validator.js';

/** What a version answers for a request's instances, in order. */
export interface ScoredInstances {
  readonly predictions: (string | number)[];
  /** Per instance, class label → probability (classification only). */
  readonly probabilities: Record<string, number>[] | null;
}

/** One model version in memory, ready to score. Immutable once built; requests hold on to it. */
export interface ServedVersion {
  readonly modelName: string;
  readonly modelVersionId: number;
  readonly version: number;
  /** `model`: the platform's own model document; `onnx`: an ONNX file (docs/trainers.md). */
  readonly kind: 'model' | 'onnx';
  readonly task: TaskType;
  readonly inputs: readonly InputField[];
  /** Inputs that are hashed before scoring and logging, and columns refused as dropped PII. */
  readonly pii: ServedPiiRules;
  /** Inputs a request may leave out, imputed by the model (its spec's `serving.allowMissing`). */
  readonly allowMissing: readonly string[];
  /** Checks raw instances (as a client sent them) against the inputs and the PII rules. */
  readonly validate: InstanceValidator;
  /** Per validated instance, the inputs it left out that the model imputes. */
  readonly imputedFields: (instances: readonly Record<string, unknown>[]) => string[][];
  /**
   * Validated instances as the model and the prediction log see them: each hashed input replaced
   * by the keyed HMAC of its value, as training's de-identification made it. The same array when
   * the version hashes nothing.
   */
  deidentify(instances: readonly Record<string, unknown>[]): readonly Record<string, unknown>[];
  /** Class labels (classification), in probability order; null for regression. */
  readonly classes: readonly string[] | null;
  /** Scores validated instances: synchronously for the platform's models, in one ONNX run otherwise. */
  score(instances: readonly Record<string, unknown>[]): ScoredInstances | Promise<ScoredInstances>;
  /** Frees what the version holds (an ONNX session) once the requests under way are done. */
  release(): Promise<void>;
}

// Model documents are JSON of a few kilobytes to some megabytes; anything far larger is not one.
const MAX_MODEL_BYTES = 512 * 1024 * 1024;
const MAX_ONNX_BYTES = 2 * 1024 * 1024 * 1024;

export class ModelFileError extends Error {
  override readonly name = 'ModelFileError';
}

export interface ServedVersionOptions {
  /** The key of `pii.hash` (MLOPS_PII_HMAC_KEY), the workers' own; needed by versions that hash inputs. */
  readonly piiHmacKey?: string;
}

/**
 * Reads a version's model document from S3, checks it against the sha256 the registry recorded
 * and validates it (a model document is data: loading evaluates nothing). An ONNX model
 * document's file is fetched and checked against the sha256 the document pins, then bound to the
 * version's features. The PII rules of the spec that trained it apply to its inputs: hashed
 * inputs need the platform's key, without which the version is refused rather than scored on
 * raw values its model never saw.
 */
export async function loadServedVersion(
  store: ArtifactStore,
  modelName: string,
  ref: ServedVersionRef,
  options: ServedVersionOptions = {},
): Promise<ServedVersion> {
  const loaded = await loadScorer(store, modelName, ref);
  const pii = piiRulesFor(loaded.inputs, ref.pii);
  if (pii.hashed.length > 0 && !options.piiHmacKey) {
    await loaded.release();
    // Never scored on raw values: the model knows only their hashes.
    throw new ModelFileError(
      `${modelName} v${ref.version} hashes ${pii.hashed.map((name) => JSON.stringify(name)).join(', ')} as personal data (pii.hash) but this server has no MLOPS_PII_HMAC_KEY: set the workers' key here`,
    );
  }
  const names = new Set(loaded.inputs.map((input) => input.name));
  const allowMissing = [...new Set(ref.allowMissing ?? [])].filter((name) => names.has(name));
  const rules: InputRules = { schema: loaded.inputs, pii, allowMissing };
  return {
    ...loaded,
    pii,
    allowMissing,
    validate: compileInstanceValidator(rules),
    imputedFields: compileImputedFields(rules),
    deidentify: piiHasher(pii.hashed, options.piiHmacKey ?? ''),
  };
}

/** A served version's input rules, as its validator applies them (for the documents that describe them). */
export function inputRulesOf(version: ServedVersion): InputRules {
  return { schema: version.inputs, pii: version.pii, allowMissing: version.allowMissing };
}

type Scorer = Omit<ServedVersion, 'pii' | 'allowMissing' | 'validate' | 'imputedFields' | 'deidentify'>;

/** The rules that apply to these inputs: hashed inputs, and dropped columns that are not inputs. */
function piiRulesFor(inputs: readonly InputField[], rules: ServedPiiRules | undefined): ServedPiiRules {
  const names = new Set(inputs.map((input) => input.name));
  return {
    hashed: [...new Set(rules?.hashed ?? [])].filter((name) => names.has(name)),
    dropped: [...new Set(rules?.dropped ?? [])].filter((name) => !names.has(name)),
  };
}

function piiHasher(hashed: readonly string[], key: string): ServedVersion['deidentify'] {
  if (hashed.length === 0) return (instances) => instances;
  return (instances) =>
    instances.map((instance) => {
      const copy = { ...instance };
      for (const name of hashed) {
        // Validation let only strings, null and absent through; missing stays missing.
        const value = copy[name];
        if (typeof value === 'string') copy[name] = hashPiiText(key, value);
      }
      return copy;
    });
}

async function loadScorer(store: ArtifactStore, modelName: string, ref: ServedVersionRef): Promise<Scorer> {
  if (!ref.modelFile) {
    throw new ModelFileError(
      `${modelName} v${ref.version} has no model file in the registry: it cannot be served`,
    );
  }
  const bytes = await checkedBytes(store, ref.modelFile, MAX_MODEL_BYTES, `${modelName} v${ref.version}`);
  const identity = { modelName, modelVersionId: ref.modelVersionId, version: ref.version };
  const text = bytes.toString('utf8');
  const value = parsedOrText(text);
  if (isOnnxModelDocument(value)) return onnxVersion(store, identity, value);

  // Anything else must be the platform's own model document; loading says what is wrong with it.
  const model = loadModelDocument(value);
  const classes = model.classes;
  // One row's class probabilities; scoring is synchronous, so one buffer per version is enough.
  const scratch = new Float64Array(classes?.length ?? 0);
  return {
    ...identity,
    kind: 'model',
    task: model.task,
    inputs: model.document.inputSchema,
    classes,
    score: (instances) => {
      if (classes === null)
        return {
          predictions: instances.map((instance) => predictRowInto(model, instance, scratch)),
          probabilities: null,
        };
      const predictions: string[] = [];
      const probabilities: Record<string, number>[] = [];
      for (const instance of instances) {
        predictions.push(classes[predictRowInto(model, instance, scratch)]);
        probabilities.push(byClass(classes, scratch));
      }
      return { predictions, probabilities };
    },
    release: async () => undefined,
  };
}

async function onnxVersion(
  store: ArtifactStore,
  identity: Pick<ServedVersion, 'modelName' | 'modelVersionId' | 'version'>,
  document: OnnxModelDocument,
): Promise<Scorer> {
  const bytes = await checkedBytes(
    store,
    document.onnx,
    MAX_ONNX_BYTES,
    `${identity.modelName} v${identity.version}'s ONNX file`,
  );
  const scorer = await loadOnnxScorer(bytes, onnxExpectation(document));
  const classes = scorer.classes;
  return {
    ...identity,
    kind: 'onnx',
    task: document.task,
    inputs: document.inputSchema,
    classes,
    score: async (instances) => {
      const predictions = await scorer.predictRecords(instances);
      return {
        predictions: predictions.map((prediction) =>
          prediction.task === 'regression' ? prediction.value : prediction.label,
        ),
        probabilities:
          classes === null
            ? null
            : predictions.map((prediction) =>
                prediction.task === 'regression' ? {} : byClass(classes, prediction.probabilities),
              ),
      };
    },
    release: () => scorer.release(),
  };
}

/** An object's bytes, refused unless they hash to the sha256 on record (the file changed since). */
async function checkedBytes(
  store: ArtifactStore,
  ref: { readonly uri: string; readonly sha256: string },
  maxBytes: number,
  what: string,
): Promise<Buffer> {
  const bytes = await store.getBuffer(store.keyOf(ref.uri), maxBytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== ref.sha256) {
    throw new ModelFileError(
      `${what}: ${ref.uri} has sha256 ${sha256}, not the registered ${ref.sha256}; the file was changed after registration`,
    );
  }
  return bytes;
}

/** The JSON value of `text`, or the text itself when it is not JSON (loadModelDocument reports that). */
function parsedOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Class label → probability; no prototype, so a label such as "__proto__" stays an ordinary key. */
function byClass(classes: readonly string[], probabilities: ArrayLike<number>): Record<string, number> {
  const result = Object.create(null) as Record<string, number>;
  for (let index = 0; index < classes.length; index += 1) result[classes[index]] = probabilities[index];
  return result;
}
