import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs on stderr (stdout stays free for command output and `--json`). Activities
 * log through `activityLogger`, which adds the workflow id, activity and attempt to every line.
 */
export function createLogger(
  level: string,
  bindings: Record<string, unknown> = {},
  destination?: { write(line: string): void },
): Logger {
  return pino({ level, base: { pid: process.pid, ...bindings } }, destination ?? pino.destination(2));
}
