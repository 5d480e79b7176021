import { trace } from '@opentelemetry/api';
import { pino, type Logger } from 'pino';

export type { Logger };

// Set by config/tracing.ts when this process traces; loggers made after it carry trace ids.
let traceIdsInLogs = false;

/** From now on, every new logger adds the active span's trace_id and span_id to its lines. */
export function addTraceIdsToLogs(): void {
  traceIdsInLogs = true;
}

/**
 * Structured JSON logs on stderr (stdout stays free for command output and `--json`). Activities
 * log through `activityLogger`, which adds the workflow id, activity and attempt to every line.
 * With tracing on, a line written inside a span carries its ids (no lookup at all when off).
 */
export function createLogger(
  level: string,
  bindings: Record<string, unknown> = {},
  destination?: { write(line: string): void },
): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid, ...bindings },
      ...(traceIdsInLogs ? { mixin: traceIdsOfActiveSpan } : {}),
    },
    destination ?? pino.destination(2),
  );
}

/** The ids a log line shares with its trace (named as in OpenTelemetry's log data model). */
function traceIdsOfActiveSpan(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}
