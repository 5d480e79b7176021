import type http from 'node:http';
import {
  context as otelContext,
  defaultTextMapGetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { RequestLabels } from './context.js';

/** The caller's `traceparent` (and `tracestate`), as W3C Trace Context defines them. */
const propagator = new W3CTraceContextPropagator();

export interface RequestSpan {
  /** Runs the route inside the span, so its logs carry the trace id. */
  run<T>(work: () => T): T;
  end(labels: RequestLabels, status: number): void;
}

/**
 * A server span for one request, a child of the caller's span when it sent `traceparent`. Made
 * only when the server has a tracer (tracing on); without one the request path does none of this.
 */
export function startRequestSpan(tracer: Tracer, request: http.IncomingMessage): RequestSpan {
  const parent = propagator.extract(ROOT_CONTEXT, request.headers, defaultTextMapGetter);
  const method = request.method ?? 'GET';
  const span: Span = tracer.startSpan(
    method,
    {
      kind: SpanKind.SERVER,
      // The path without its query: an API token or a model input never belongs in a trace.
      attributes: { 'http.request.method': method, 'url.path': (request.url ?? '/').split('?')[0] },
    },
    parent,
  );
  const active = trace.setSpan(parent, span);
  return {
    run: (work) => otelContext.with(active, work),
    end(labels, status) {
      // Named by route, not path, so that spans group by what was asked (`POST predict`).
      span.updateName(`${method} ${labels.route}`);
      span.setAttributes({
        'http.route': labels.route,
        'http.response.status_code': status,
        ...(labels.model ? { 'mlops.model': labels.model } : {}),
        ...(labels.version ? { 'mlops.model_version': labels.version } : {}),
      });
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
  };
}
