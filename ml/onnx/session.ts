/**
 * An onnxruntime session over a model file's bytes, on the CPU. A session that cannot be created
 * (not ONNX at all, an IR version or operator this onnxruntime does not know) is the model's fault:
 * an OnnxModelError with onnxruntime's own reason.
 */
import { InferenceSession } from 'onnxruntime-node';
import { OnnxModelError } from './errors.js';

export interface OnnxSessionOptions {
  /**
   * Threads one run may use (onnxruntime's intraOpNumThreads). Default 1: a worker runs several
   * activities, and serving several models, side by side, so a session does not take every core
   * unless asked to (batch evaluation may pass e.g. Math.min(4, os.availableParallelism())).
   */
  readonly intraOpNumThreads?: number;
}

/** onnxruntime's warnings (unused initializers and the like) are not the platform's to log. */
const ERRORS_ONLY = 3;

export async function createOnnxSession(
  bytes: Uint8Array,
  options: OnnxSessionOptions = {},
): Promise<InferenceSession> {
  if (!(bytes instanceof Uint8Array))
    throw new TypeError('an ONNX model is given as its bytes (a Uint8Array)');
  const intraOpNumThreads = options.intraOpNumThreads ?? 1;
  if (!Number.isInteger(intraOpNumThreads) || intraOpNumThreads < 1) {
    throw new RangeError(`intraOpNumThreads must be a positive integer, not ${intraOpNumThreads}`);
  }
  if (bytes.byteLength === 0) throw new OnnxModelError('not a valid ONNX model: the file is empty');
  try {
    return await InferenceSession.create(bytes, {
      executionProviders: ['cpu'],
      intraOpNumThreads,
      // One graph node at a time: a model file's graph is a chain of small operators, and the
      // caller already decides the parallelism through intraOpNumThreads.
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      logSeverityLevel: ERRORS_ONLY,
    });
  } catch (error) {
    throw new OnnxModelError(`not a valid ONNX model: ${onnxruntimeReason(error)}`);
  }
}

/**
 * onnxruntime's message without the C++ source location and function signature it starts with
 * ("/onnxruntime_src/.../model.cc:202 onnxruntime::Model::Model(...) Unsupported model IR version").
 */
export function onnxruntimeReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const reason = message.replace(/^\S+\.(?:cc|cpp|h):\d+ (?:onnxruntime::[^\s(]*\([^)]*\) )?/, '').trim();
  if (/IR version/i.test(reason)) {
    return `${reason} (set model.ir_version to the supported version before saving the model, or export with an older onnx package)`;
  }
  return reason;
}
