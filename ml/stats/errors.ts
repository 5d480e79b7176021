import { InputError } from '../../contracts/errors.js';

/** Input a statistical test cannot work with; the message says what is wrong and how to fix it. */
export class StatisticsInputError extends InputError {
  override name = 'StatisticsInputError';
}
