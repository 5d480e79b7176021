import { collectDefaultMetrics, Registry } from 'prom-client';
import { Counter, Gauge, Histogram, renderExposition } from './prometheus.js';

/** Routes as metric labels: a fixed set, so a client cannot create series with made-up paths. */
export type RouteLabel =
  | 'predict'
  | 'feedback'
  | 'model'
  | 'models'
  | 'v2_infer'
  | 'v2_model'
  | 'v2_model_ready'
  | 'v2_server'
  | 'v2_live'
  | 'v2_ready'
  | 'openapi'
  | 'healthz'
  | 'readyz'
  | 'metrics'
  | 'not_found';

/** Why a connection was closed before a route answered (serving/connections.ts). */
export type ClientErrorReason =
  'headers_timeout' | 'body_timeout' | 'headers_too_large' | 'malformed' | 'reset';

// From half a millisecond (a warm single-row prediction) to several seconds (a request that waited
// for the prediction log).
const LATENCY_BOUNDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * Everything /metrics reports. `model` and `version` are empty for routes that are not about one
 * model version (health, listings) and for requests refused before a version was chosen.
 */
export class ServingMetrics {
  readonly requests = new Counter(
    'mlops_serving_requests_total',
    'HTTP requests answered, by route, model, version and status code.',
    ['route', 'model', 'version', 'status'],
  );
  readonly errors = new Counter(
    'mlops_serving_errors_total',
    'Requests answered with an error (status 400 and up), by route, model, version, status and error code.',
    ['route', 'model', 'version', 'status', 'code'],
  );
  readonly latency = new Histogram(
    'mlops_serving_request_duration_seconds',
    'Time from the request to its answer, by route, model and version.',
    ['route', 'model', 'version'],
    LATENCY_BOUNDS,
  );
  readonly predictions = new Counter(
    'mlops_serving_predictions_total',
    'Predictions answered, by model, version and predicted class (empty for regression).',
    ['model', 'version', 'class'],
  );
  readonly inFlight = new Gauge('mlops_serving_in_flight_requests', 'Requests being handled now.', []);
  readonly openConnections = new Gauge(
    'mlops_serving_open_connections',
    'Client connections open now (MLOPS_SERVING_MAX_CONNECTIONS caps them).',
    [],
  );
  readonly connectionsRefused = new Counter(
    'mlops_serving_connections_refused_total',
    'Connections closed at once because MLOPS_SERVING_MAX_CONNECTIONS were open.',
    [],
  );
  readonly clientErrors = new Counter(
    'mlops_serving_client_errors_total',
    'Connections closed before a route answered, by reason: headers_timeout and body_timeout (408, a client too slow), headers_too_large (431), malformed (400, not HTTP), reset (the client went away).',
    ['reason'],
  );
  readonly logQueueDepth = new Gauge(
    'mlops_serving_prediction_log_queue_rows',
    'Predictions waiting in memory to be written to prediction_logs.',
    [],
  );
  readonly logWritten = new Counter(
    'mlops_serving_prediction_log_written_total',
    'Predictions written to prediction_logs.',
    [],
  );
  readonly logDropped = new Counter(
    'mlops_serving_prediction_log_dropped_total',
    'Answered predictions that could not be written (a shutdown with both the database and the spill file out of reach, or a damaged spill line; 0 otherwise).',
    [],
  );
  readonly logSpillRows = new Gauge(
    'mlops_serving_prediction_log_spill_rows',
    'Predictions in the local spill file, written while the database was unreachable, not yet replayed into prediction_logs.',
    [],
  );
  readonly logSpillBytes = new Gauge(
    'mlops_serving_prediction_log_spill_bytes',
    'Size of the local spill file; requests are refused (503) once it reaches its bound.',
    [],
  );
  readonly logSpilled = new Counter(
    'mlops_serving_prediction_log_spilled_total',
    'Predictions written to the local spill file (each batch fsynced) because the database was unreachable.',
    [],
  );
  readonly logReplayed = new Counter(
    'mlops_serving_prediction_log_replayed_total',
    'Spilled predictions replayed into prediction_logs.',
    [],
  );
  readonly logWaits = new Counter(
    'mlops_serving_prediction_log_waits_total',
    'Requests that waited for room in the prediction-log queue (backpressure) before being answered.',
    [],
  );
  readonly logWriteFailures = new Counter(
    'mlops_serving_prediction_log_write_failures_total',
    'Failed batch writes to prediction_logs (each is retried; the rows stay queued).',
    [],
  );
  readonly modelsLoaded = new Gauge(
    'mlops_serving_model_version_loaded',
    'Model versions in memory and the role each serves (1 per loaded version).',
    ['model', 'version', 'role'],
  );

  constructor() {
    // Present from the start, so a dashboard sees 0 rather than no series.
    this.inFlight.set([], 0);
    this.openConnections.set([], 0);
    this.connectionsRefused.inc([], 0);
    this.logQueueDepth.set([], 0);
    this.logWritten.inc([], 0);
    this.logDropped.inc([], 0);
    this.logSpillRows.set([], 0);
    this.logSpillBytes.set([], 0);
    this.logSpilled.inc([], 0);
    this.logReplayed.inc([], 0);
    this.logWriteFailures.inc([], 0);
    this.logWaits.inc([], 0);
  }

  /** The process's and Node's metrics (prom-client's defaults: process_*, nodejs_*), once collected. */
  private readonly processMetrics = new Registry();
  private collectingProcessMetrics = false;

  /**
   * Starts prom-client's default metrics (CPU, memory, file descriptors, event-loop lag, GC, heap):
   * sampled when scraped, apart from the event-loop and GC observers. Once per server.
   */
  collectProcessMetrics(): void {
    if (this.collectingProcessMetrics) return;
    this.collectingProcessMetrics = true;
    collectDefaultMetrics({ register: this.processMetrics });
  }

  /** The server's metrics followed by the process's, as one exposition. */
  async renderAll(): Promise<string> {
    const own = this.render();
    return this.collectingProcessMetrics ? `${own}${await this.processMetrics.metrics()}` : own;
  }

  render(): string {
    return renderExposition([
      this.requests,
      this.errors,
      this.latency,
      this.predictions,
      this.inFlight,
      this.openConnections,
      this.connectionsRefused,
      this.clientErrors,
      this.logQueueDepth,
      this.logWritten,
      this.logDropped,
      this.logSpillRows,
      this.logSpillBytes,
      this.logSpilled,
      this.logReplayed,
      this.logWaits,
      this.logWriteFailures,
      this.modelsLoaded,
    ]);
  }
}
