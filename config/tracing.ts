import { trace, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  detectResourcesSync,
  envDetectorSync,
  hostDetectorSync,
  processDetectorSync,
  Resource,
} from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { Config } from './index.js';
import { addTraceIdsToLogs } from './logger.js';

/**
 * OpenTelemetry tracing of one process: the provider (registered globally, with W3C trace context
 * propagation and an AsyncLocalStorage context), its resource and the batching processor that
 * the Temporal interceptors' workflow spans go through too.
 */
export interface Tracing {
  readonly resource: Resource;
  readonly spanProcessor: SpanProcessor;
  tracer(name: string): Tracer;
  /** Exports what is still batched and stops; later spans are dropped. */
  shutdown(): Promise<void>;
}

// The process's one provider, like OpenTelemetry's own global: the Temporal interceptors and the
// log mixin find the active span through the global API, so a second provider would split traces.
let current: Tracing | undefined;

/** The tracing `startTracing` set up in this process, if any. */
export function activeTracing(): Tracing | undefined {
  return current;
}

/**
 * Starts tracing when an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT); the exporter reads the endpoint, OTEL_EXPORTER_OTLP_HEADERS
 * and timeouts from the standard variables itself. service.name is `defaultServiceName` unless
 * OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES set one. Later calls return the first one.
 */
export function startTracing(config: Config, defaultServiceName: string): Tracing | undefined {
  if (current || !config.telemetry.tracing) return current;
  const resource = Resource.default()
    .merge(new Resource({ 'service.name': defaultServiceName }))
    .merge(detectResourcesSync({ detectors: [processDetectorSync, hostDetectorSync, envDetectorSync] }));
  const exporter: SpanExporter =
    config.telemetry.tracing.protocol === 'http/json' ? new JsonTraceExporter() : new ProtobufTraceExporter();
  const spanProcessor = new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // Trace context only, not the SDK's default of trace context plus W3C Baggage: the platform
  // carries no baggage, and @opentelemetry/core 1.x (the line @temporalio/interceptors-opentelemetry
  // 1.24 needs) parses a baggage header without the size limits that 2.8 added (GHSA-8988-4f7v-96qf,
  // docs/dependencies.md). The interceptors propagate through this global propagator.
  provider.register({ propagator: new W3CTraceContextPropagator() });
  addTraceIdsToLogs();
  let stopped: Promise<void> | undefined;
  current = {
    resource,
    spanProcessor,
    tracer: (name) => trace.getTracer(name),
    shutdown: () => (stopped ??= provider.shutdown().catch(() => undefined)),
  };
  return current;
}
