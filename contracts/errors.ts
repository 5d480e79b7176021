/**
 * The one list of failure types the platform raises as `ApplicationFailure`s. Retry policies and the
 * CLI key on these: `nonRetryable` ones describe input the user has to fix, so retrying cannot help.
 */
export const errorTypes = {
  invalidInput: { type: 'InvalidInput', nonRetryable: true },
  invalidSpec: { type: 'InvalidSpec', nonRetryable: true },
  notFound: { type: 'NotFound', nonRetryable: true },
  unsafeKey: { type: 'UnsafeArtifactKey', nonRetryable: true },
  noGpuAvailable: { type: 'NoGpuAvailable', nonRetryable: false },
  integrityMismatch: { type: 'IntegrityMismatch', nonRetryable: false },
} as const;

export const nonRetryableErrorTypes: string[] = Object.values(errorTypes)
  .filter((entry) => entry.nonRetryable)
  .map((entry) => entry.type);
