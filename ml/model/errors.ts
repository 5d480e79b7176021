import { InputError } from '../../contracts/errors.js';

/** A model document that is malformed, hostile or of an unknown format. */
export class ModelDocumentError extends InputError {
  override name = 'ModelDocumentError';
  constructor(
    /** JSON path of the offending value, e.g. `$.learned.trees[3].left`. */
    readonly path: string,
    problem: string,
  ) {
    super(`invalid model document at ${path}: ${problem}`);
  }
}
