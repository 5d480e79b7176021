import { context, propagation, trace } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';
import { startTracing } from '../../config/tracing.js';

// Started once in this file's own process: the provider is process-wide, as in a worker.
const tracing = startTracing(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' }), 'mlops-test');

describe('trace propagation', () => {
  afterAll(async () => {
    await tracing?.shutdown();
  });

  it('propagates W3C trace context only: a baggage header is never parsed (docs/dependencies.md)', () => {
    expect(tracing).toBeDefined();
    expect(propagation.fields().sort()).toEqual(['traceparent', 'tracestate']);
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const extracted = propagation.extract(context.active(), {
      traceparent,
      baggage: `${'k=v,'.repeat(10_000)}last=1`,
    });
    expect(trace.getSpanContext(extracted)?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(propagation.getBaggage(extracted)).toBeUndefined();
  });
});
