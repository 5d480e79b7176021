import type { ArtifactRef } from './artifacts.js';
import type { InputField } from '../ml/model/index.js';
import type { OnnxExpectation } from '../ml/onnx/index.js';
import type { TaskType } from '../spec/types.js';

export const ONNX_MODEL_FORMAT = 'mlops.onnx-model/v1';

/**
 * The model document of a version whose model is an ONNX file (a command trainer's, or one
 * imported): what the platform knows about the file, and the file's reference. It is what the
 * registry stores as the version's model file, so its sha256 pins the ONNX file's sha256 too;
 * evaluation, serving and monitoring read it, fetch the file, check its hash and score it with
 * onnxruntime. JSON, no code.
 */
export interface OnnxModelDocument {
  readonly format: typeof ONNX_MODEL_FORMAT;
  readonly task: TaskType;
  readonly target: { readonly name: string; readonly classes?: readonly string[] };
  /** The features, in the order MLOPS_FEATURES gave them. */
  readonly features: readonly string[];
  /** What serving accepts for each feature (a number or a string), and whether training lacked it. */
  readonly inputSchema: readonly InputField[];
  readonly onnx: ArtifactRef;
  /** How the graph's inputs and outputs were bound to the features (for lineage and people). */
  readonly graph: Readonly<Record<string, unknown>>;
  readonly trainer: {
    readonly name: string;
    readonly command?: readonly string[];
    readonly params: Readonly<Record<string, unknown>>;
  };
  readonly training: {
    readonly seed: number;
    readonly rowCount: number;
    readonly validationRowCount: number;
    /** The trainer's last report's metrics. */
    readonly metrics: Readonly<Record<string, number>>;
  };
}

export function isOnnxModelDocument(value: unknown): value is OnnxModelDocument {
  return (value as { format?: unknown } | null)?.format === ONNX_MODEL_FORMAT;
}

/** What an ONNX model document's file must fit, for ml/onnx's scorer. */
export function onnxExpectation(document: OnnxModelDocument): OnnxExpectation {
  return {
    features: document.features,
    featureKinds: Object.fromEntries(
      document.inputSchema.map((input) => [input.name, input.type === 'string' ? 'string' : 'number']),
    ),
    task: document.task,
    classes: document.target.classes ?? null,
    timestampFeatures: document.inputSchema
      .filter((input) => input.type === 'timestamp')
      .map((input) => input.name),
  };
}
