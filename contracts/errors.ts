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
  unsafeKey: { type: 'UnsafeArtifactKey', nonRetryable: true },
  noGpuAvailable: { type: 'NoGpuAvailable', nonRetryable: false },
  integrityMismatch: { type: 'IntegrityMismatch', nonRetryable: false },
} as const;

export const nonRetryableErrorTypes: string[] = Object.values(errorTypes)
  .filter((entry) => entry.nonRetryable)
  .map((entry) => entry.type);
