import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { InputError, nonRetryableErrorTypes } from '../../../contracts/errors.js';
import { createLogger } from '../../../config/logger.js';
import * as data from '../../../data/index.js';
import * as frame from '../../../ml/frame/frame.js';
import * as drift from '../../../ml/drift/index.js';
import * as metrics from '../../../ml/metrics/index.js';
import * as model from '../../../ml/model/index.js';
import * as stats from '../../../ml/stats/index.js';
import * as training from '../../../ml/training.js';
import {
  ActivityFailureCounts,
  attemptLoggingInterceptor,
  knownErrorsInterceptor,
} from '../../../workers/interceptors.js';

type ErrorClass = new (...args: never[]) => Error;

/** Every error class the pure layers export, by name. */
const errorClasses = Object.entries({
  ...data,
  ...frame,
  ...drift,
  ...metrics,
  ...model,
  ...stats,
  ...training,
})
  .filter(([, value]) => typeof value === 'function' && value.prototype instanceof Error)
  .map(([name, value]) => [name, value as unknown as ErrorClass] as const);

/** Errors of ml/ and data/ that are not bad input. */
const notInput = new Set(['TrainingCancelledError']);

function instanceOf(ErrorType: ErrorClass): Error {
  // ModelDocumentError takes (path, problem); the others a message with a quoted data value.
  return new (ErrorType as unknown as new (a: string, b?: string) => Error)(
    "could not convert 'Jane Doe' to a number",
    "could not convert 'Jane Doe' to a number",
  );
}

describe('domain errors at the activity boundary', () => {
  it('finds the error classes of ml/ and data/, every bad-input one an InputError', () => {
    const names = errorClasses.map(([name]) => name);
    expect(names).toEqual(
      expect.arrayContaining([
        'DatasetInputError',
        'FrameError',
        'DriftInputError',
        'MetricsInputError',
        'ModelDocumentError',
        'StatisticsInputError',
        'TrainingInputError',
      ]),
    );
    for (const [name, ErrorType] of errorClasses)
      expect(instanceOf(ErrorType) instanceof InputError, name).toBe(!notInput.has(name));
  });

  it.each(errorClasses.filter(([name]) => !notInput.has(name)))(
    'turns %s into a non-retryable failure of its type, data values masked, counted by type',
    async (name, ErrorType) => {
      const failures = new ActivityFailureCounts();
      const lines: string[] = [];
      const log = createLogger('debug', {}, { write: (line) => void lines.push(line) });
      const environment = new MockActivityEnvironment(
        {},
        { interceptors: [attemptLoggingInterceptor(log, failures), knownErrorsInterceptor()] },
      );
      const error = instanceOf(ErrorType) as InputError;
      const thrown = await environment
        .run(async () => Promise.reject(error))
        .catch((caught: unknown) => caught);

      expect(thrown).toBeInstanceOf(ApplicationFailure);
      const failure = thrown as ApplicationFailure;
      expect(failure.type).toBe(error.type);
      expect(nonRetryableErrorTypes).toContain(failure.type);
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toContain("'…'");
      expect(failure.message).not.toContain('Jane Doe');
      expect(failure.details).toEqual([{ errorClass: name }]);
      expect(failures.snapshot()).toEqual({ [error.type]: 1 });
      const logged = lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((line) => line.msg === 'activity attempt failed');
      expect(logged).toMatchObject({ errorType: error.type, failuresOfType: 1, nonRetryable: true });
    },
  );

  it('lets other errors through unchanged, so they are retried, and counts them by class', async () => {
    const failures = new ActivityFailureCounts();
    const environment = new MockActivityEnvironment(
      {},
      {
        interceptors: [attemptLoggingInterceptor(createLogger('silent'), failures), knownErrorsInterceptor()],
      },
    );
    const transient = new TypeError('socket hang up');
    for (let attempt = 0; attempt < 2; attempt += 1)
      await expect(environment.run(async () => Promise.reject(transient))).rejects.toBe(transient);
    expect(failures.snapshot()).toEqual({ TypeError: 2 });
  });
});
