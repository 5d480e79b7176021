import { InputError } from '../../contracts/errors.js';

/** Labels, probabilities or predictions that metrics cannot be computed from; the message says what to fix. */
export class MetricsInputError extends InputError {
  override name = 'MetricsInputError';
}
