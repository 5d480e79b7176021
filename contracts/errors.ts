/**
 * The one list of failure types the platform raises as `ApplicationFailure`s. Retry policies and the
 * CLI key on these: `nonRetryable` ones describe input the user has to fix, so retrying cannot help.
 */
export const errorTypes = {
  invalidInput: { type: 'InvalidInput', nonRetryable: true },
  invalidSpec: { type: 'InvalidSpec', nonRetryable: true },
  /** The data broke the spec's validation rules; the message points at the stored report. */
  validationFailed: { type: 'ValidationFailed', nonRetryable: true },
  /** A worker's staged data is gone: the workflow stages it again elsewhere rather than retrying. */
  scratchLost: { type: 'ScratchLost', nonRetryable: true },
  notFound: { type: 'NotFound', nonRetryable: true },
  /** A promotion of the version that already is the champion: nothing to do. */
  alreadyChampion: { type: 'AlreadyChampion', nonRetryable: true },
  unsafeKey: { type: 'UnsafeArtifactKey', nonRetryable: true },
  /** A command trainer failed in a way retrying cannot fix (its exit code, no model, a bad report). */
  trainerFailed: { type: 'TrainerFailed', nonRetryable: true },
  /** A command trainer was killed by a signal or exited 75 (EX_TEMPFAIL): retried, from its checkpoint. */
  trainerInterrupted: { type: 'TrainerInterrupted', nonRetryable: false },
  /** A model file (ONNX) that does not fit the dataset's features, task or classes. */
  invalidModel: { type: 'InvalidModel', nonRetryable: true },
  noGpuAvailable: { type: 'NoGpuAvailable', nonRetryable: false },
  integrityMismatch: { type: 'IntegrityMismatch', nonRetryable: false },
} as const;

/**
 * Input the user has to fix: a dataset, a query, parameters, labels or a model document that
 * cannot work, raised by the pure layers (data/, ml/). Every subclass becomes a non-retryable
 * ApplicationFailure of its `type` at the worker's one boundary (workers/interceptors.ts), its
 * message stripped of quoted data values, so no call site converts by hand and a new class is
 * handled by extending this one.
 */
export class InputError extends Error {
  override name = 'InputError';
  /** The failure type it becomes, from `errorTypes` (one of the non-retryable ones). */
  readonly type: string = errorTypes.invalidInput.type;
}

/** The type a failure is known by: an InputError's or ApplicationFailure's type, else the error's class name. */
export function failureTypeOf(error: unknown): string {
  if (error instanceof InputError) return error.type;
  const typed = error as { type?: unknown; name?: unknown } | null | undefined;
  if (typeof typed?.type === 'string' && typed.type.length > 0) return typed.type;
  return typeof typed?.name === 'string' ? typed.name : 'Error';
}

/**
 * An error's message as failures and stage records carry it. Both are stored (workflow history,
 * PostgreSQL), so an InputError's quoted data values (DuckDB quotes the offending cell: "Could not
 * convert string 'x'") are masked: they may be personal data.
 */
export function failureMessageOf(error: unknown): string {
  const message = String((error as { message?: unknown } | null | undefined)?.message ?? error);
  return error instanceof InputError ? message.replace(/'(?:[^'\\]|\\.)*'/g, "'…'") : message;
}

export const nonRetryableErrorTypes: string[] = Object.values(errorTypes)
  .filter((entry) => entry.nonRetryable)
  .map((entry) => entry.type);
