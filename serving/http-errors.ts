/**
 * Errors the server answers with. Every error body has the same shape:
 *   { "error": { "code": "invalid_input", "message": "...", "problems"?: [...] } }
 * `problems` lists each thing wrong with the input (instance index, field, what is wrong), so a
 * client can fix all of them at once.
 */

export type ErrorCode =
  | 'invalid_json'
  | 'invalid_request'
  | 'invalid_input'
  | 'body_too_large'
  | 'too_many_instances'
  | 'request_timeout'
  | 'headers_too_large'
  | 'unauthenticated'
  | 'forbidden'
  | 'model_not_found'
  | 'not_found'
  | 'method_not_allowed'
  | 'model_not_ready'
  | 'overloaded'
  | 'shutting_down'
  | 'internal';

export interface InputProblem {
  /** Index of the instance (or feedback item) in the request; absent for the request itself. */
  readonly index?: number;
  readonly field?: string;
  readonly problem: string;
}

export class HttpError extends Error {
  override readonly name = 'HttpError';

  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly problems: readonly InputProblem[] = [],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  body(): { error: { code: ErrorCode; message: string; problems?: readonly InputProblem[] } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.problems.length > 0 ? { problems: this.problems } : {}),
      },
    };
  }
}

/** Past this many problems a request is clearly wrong; the list stops growing. */
export const MAX_PROBLEMS = 20;

/** 400 with every problem found; the message names the first few so logs and CLIs show them. */
export function invalidInput(
  problems: readonly InputProblem[],
  noun: 'instance' | 'item' = 'instance',
  code: ErrorCode = 'invalid_input',
): HttpError {
  const shown = problems
    .slice(0, 3)
    .map((problem) => describeProblem(problem, noun))
    .join('; ');
  const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : '';
  return new HttpError(400, code, `${shown}${more}`, problems);
}

export function describeProblem(problem: InputProblem, noun: 'instance' | 'item' = 'instance'): string {
  const where = [
    problem.index === undefined ? undefined : `${noun} ${problem.index}`,
    problem.field === undefined ? undefined : `field ${JSON.stringify(problem.field)}`,
  ]
    .filter(Boolean)
    .join(', ');
  return where ? `${where}: ${problem.problem}` : problem.problem;
}
