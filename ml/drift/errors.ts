import { InputError } from '../../contracts/errors.js';

/** Drift input that cannot be compared (empty window, unknown column, bad profile); the message says what to fix. */
export class DriftInputError extends InputError {
  override name = 'DriftInputError';
}
