import { ApplicationFailure } from '@temporalio/common';
import { errorTypes, InputError } from '../../contracts/errors.js';

/**
 * A command trainer failed in a way retrying cannot fix: it exited non-zero, wrote no model,
 * printed a malformed report, or its program or environment is missing. Not retried; the message
 * says what to fix and quotes the end of its log.
 */
export class TrainerError extends InputError {
  override name = 'TrainerError';
  override readonly type: string = errorTypes.trainerFailed.type;
}

/** A trainer killed by a signal or exiting 75 (EX_TEMPFAIL): retried, from its last checkpoint. */
export function trainerInterrupted(message: string): ApplicationFailure {
  return ApplicationFailure.create({ ...errorTypes.trainerInterrupted, message });
}

/** The end of the log as an error message quotes it. */
export function logTail(lines: readonly string[]): string {
  return lines.length ? `\nlast lines of its log:\n${lines.map((line) => `  ${line}`).join('\n')}` : '';
}
