/** Drift input that cannot be compared (empty window, unknown column, bad profile); the message says what to fix. */
export class DriftInputError extends Error {
  override readonly name = 'DriftInputError';
}
