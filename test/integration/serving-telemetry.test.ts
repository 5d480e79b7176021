import { SpanKind } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../config/logger.js';
import { connectDatabase, type DatabaseHandle } from '../../db/client.js';
import { createServingServer, type ServingServer } from '../../serving/index.js';
import { testArtifactStore, testConnections } from '../support/platform.js';

describe('prediction server telemetry', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const store = testArtifactStore();
  let database: DatabaseHandle;
  let server: ServingServer;
  let url = '';

  beforeAll(async () => {
    database = connectDatabase(testConnections().databaseUrl, { maxConnections: 2 });
    server = createServingServer({
      db: database.db,
      databaseUrl: testConnections().databaseUrl,
      artifacts: store,
      log: createLogger('warn', { test: 'serving-telemetry' }),
      settings: { models: ['no-such-model'], refreshIntervalMs: 60_000, shutdownGraceMs: 5000 },
      tracer: provider.getTracer('mlops-serving'),
    });
    url = await server.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await server?.close();
    await database?.close();
    store.client.destroy();
  });

  it("answers a request that carries traceparent with a server span in the caller's trace", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parentSpanId = '00f067aa0ba902b7';
    const response = await fetch(`${url}/healthz?probe=1`, {
      headers: { traceparent: `00-${traceId}-${parentSpanId}-01` },
    });
    expect(response.status).toBe(200);
    const span = exporter.getFinishedSpans().find((finished) => finished.spanContext().traceId === traceId);
    expect(span?.parentSpanId).toBe(parentSpanId);
    expect(span?.kind).toBe(SpanKind.SERVER);
    expect(span?.name).toBe('GET healthz');
    expect(span?.attributes).toMatchObject({
      'http.route': 'healthz',
      'http.response.status_code': 200,
      'url.path': '/healthz',
    });
  });

  it('starts a trace of its own for a request without one, named by route, not by path', async () => {
    exporter.reset();
    expect((await fetch(`${url}/no/such/path`)).status).toBe(404);
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('GET not_found');
    expect(span?.parentSpanId).toBeUndefined();
    expect(span?.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span?.attributes['http.response.status_code']).toBe(404);
  });

  it("exposes the process's and Node's standard metrics besides its own on /metrics", async () => {
    const response = await fetch(`${url}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await response.text();
    for (const name of [
      'mlops_serving_requests_total',
      'process_cpu_user_seconds_total',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'process_start_time_seconds',
      'process_open_fds',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_active_handles_total',
      'nodejs_version_info',
    ])
      expect(text, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
  });
});
