/**
 * Whether a failed write means "PostgreSQL cannot be reached now" (the rows are fine; keep them
 * somewhere durable and try again later) rather than "these rows were refused" (a data error,
 * which waiting does not fix). Drizzle wraps the driver's error, so the whole cause chain counts.
 */

// Node's socket errors: refused, reset, timed out, unreachable, name not resolved.
const SOCKET_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

// SQLSTATE: the server is shutting down, crashed, starting, or has no connection slot left.
const UNAVAILABLE_SQLSTATES: ReadonlySet<string> = new Set(['57P01', '57P02', '57P03', '53300']);

// What node-postgres says, without a code, when a connection dies or the pool cannot get one.
const DRIVER_MESSAGES =
  /connection terminated|timeout exceeded when trying to connect|not queryable|connection (was )?(closed|ended)/i;

export function isConnectionError(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let current = error; current && !seen.has(current); current = (current as Error).cause) {
    seen.add(current);
    if (current instanceof DatabaseUnreachableError) return true;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (SOCKET_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code)) return true;
      // Class 08: connection exception.
      if (/^08[0-9A-Z]{3}$/.test(code)) return true;
    }
    if (current instanceof Error && DRIVER_MESSAGES.test(current.message)) return true;
    // Every address of a host refused (IPv6 and IPv4, say).
    if (current instanceof AggregateError && current.errors.some((inner) => isConnectionError(inner)))
      return true;
  }
  return false;
}

/**
 * What a failed write says in a log line: the driver's own error (its code and message), never
 * Drizzle's wrapper, whose message carries the query's parameters, every row of the batch with
 * its inputs.
 */
export function describeWriteError(error: unknown): { error: string; code?: string } {
  let innermost = error;
  const seen = new Set<unknown>();
  while (innermost instanceof Error && innermost.cause && !seen.has(innermost.cause)) {
    seen.add(innermost);
    innermost = innermost.cause;
  }
  const code = (innermost as { code?: unknown } | undefined)?.code;
  const message =
    innermost instanceof AggregateError && innermost.errors.length > 0
      ? innermost.errors.map((inner) => (inner as Error).message).join('; ')
      : innermost instanceof Error
        ? innermost.message
        : String(innermost);
  // A driver message may quote a value (a data error's detail); a log line gets its first line only.
  return { error: message.split('\n')[0].slice(0, 300), ...(typeof code === 'string' ? { code } : {}) };
}

/** A write that did not finish in time: the database is treated as unreachable. */
export class DatabaseUnreachableError extends Error {
  override readonly name = 'DatabaseUnreachableError';
}
