import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Tracer } from '@opentelemetry/api';
import type { Logger } from '../config/logger.js';
import type { Database } from '../db/client.js';
import { API_TOKENS_CHANNEL, insertPredictionLogs, SERVING_CHANNEL } from '../db/queries/serving.js';
import type { ArtifactStore } from '../storage/artifact-store.js';
import { TokenAuthority } from './auth.js';
import { ChangeListener } from './change-listener.js';
import { connectionOptions, guardConnections } from './connections.js';
import type { Reply, RequestLabels, ServingContext } from './context.js';
import { HttpError } from './http-errors.js';
import { ServingMetrics } from './metrics.js';
import { PredictionLog } from './prediction-log.js';
import { checkMethod, matchRoute, protocolOf } from './router.js';
import { ServedModels } from './served-models.js';
import { defaultServingSettings, type ServingSettings } from './settings.js';
import { startRequestSpan } from './tracing.js';

export interface ServingServerOptions {
  readonly db: Database;
  /** For the dedicated LISTEN connection (the pool's connections are shared). */
  readonly databaseUrl: string;
  readonly artifacts: ArtifactStore;
  readonly log: Logger;
  readonly settings?: Partial<ServingSettings>;
  /** With tracing on: a server span per request, joining the caller's trace (`traceparent`). */
  readonly tracer?: Tracer;
}

export interface ServingServer {
  readonly metrics: ServingMetrics;
  readonly models: ServedModels;
  readonly predictionLog: PredictionLog;
  /**
   * Opens the prediction log's spill (replaying what it holds), loads tokens and models,
   * subscribes to changes, then listens; resolves with the base URL.
   */
  listen(port: number, host: string): Promise<string>;
  /**
   * Graceful stop: readiness turns 503, new connections are refused, in-flight requests finish
   * (up to the shutdown grace), then every queued prediction is written.
   */
  close(): Promise<void>;
}

/**
 * The prediction server on node:http: KServe V1 REST and the Open Inference Protocol (V2); routes
 * in router.ts, protocols in serving/README.md.
 */
export function createServingServer(options: ServingServerOptions): ServingServer {
  const settings = { ...defaultServingSettings, ...options.settings };
  const { log } = options;
  const metrics = new ServingMetrics();
  metrics.collectProcessMetrics();
  const models = new ServedModels({
    db: options.db,
    store: options.artifacts,
    metrics,
    log,
    only: settings.models,
    piiHmacKey: settings.piiHmacKey,
  });
  const auth = new TokenAuthority(options.db);
  const predictionLog = new PredictionLog(
    (rows) => insertPredictionLogs(options.db, rows),
    settings.predictionLog,
    metrics,
    log,
  );
  let shuttingDown = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const context: ServingContext = {
    db: options.db,
    models,
    auth,
    predictionLog,
    metrics,
    settings,
    log,
    shuttingDown: () => shuttingDown,
  };

  const handle = async (request: http.IncomingMessage, response: http.ServerResponse) => {
    const started = performance.now();
    const span = options.tracer ? startRequestSpan(options.tracer, request) : undefined;
    inFlight += 1;
    metrics.inFlight.inc([], 1);
    const labels: RequestLabels = { route: 'not_found', model: '', version: '' };
    let reply: Reply;
    let headers: Readonly<Record<string, string>> = {};
    let protocol = protocolOf(request.url);
    try {
      const route = matchRoute(request.url);
      labels.route = route.label;
      protocol = route.protocol;
      checkMethod(route, request.method);
      reply = await (span
        ? span.run(() => route.handler(context, request, labels, route.modelName, route.version))
        : route.handler(context, request, labels, route.modelName, route.version));
    } catch (error) {
      const failure = error instanceof HttpError ? error : internalError(error, log, labels);
      // The Open Inference Protocol's errors are `{"error": "<message>"}`; V1's carry code and problems.
      reply = {
        status: failure.status,
        body: protocol === 'v2' ? { error: failure.message } : failure.body(),
      };
      headers = failure.headers;
      metrics.errors.inc([labels.route, labels.model, labels.version, String(failure.status), failure.code]);
    }
    send(response, reply, headers, shuttingDown);
    span?.end(labels, reply.status);
    metrics.requests.inc([labels.route, labels.model, labels.version, String(reply.status)]);
    metrics.latency.observe(
      [labels.route, labels.model, labels.version],
      (performance.now() - started) / 1000,
    );
    inFlight -= 1;
    metrics.inFlight.inc([], -1);
    if (inFlight === 0) drained?.();
  };

  const server = http.createServer(connectionOptions(settings));
  const receiving = guardConnections(server, settings, metrics);
  server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
    receiving(request, response);
    void handle(request, response);
  });
  // Refresh failures (the database away for a moment) are logged; the next trigger tries again.
  const refresher = (what: string, refresh: () => Promise<void>) => (reason: string) =>
    void refresh().catch((error: unknown) =>
      log.warn({ error: (error as Error).message, reason }, `serving: reading the ${what} failed`),
    );
  const refreshModels = refresher('served models', () => models.refresh());
  const refreshTokens = refresher('API tokens', () => auth.refresh());
  const refreshAll = (reason: string) => {
    refreshModels(reason);
    refreshTokens(reason);
  };
  const listener = new ChangeListener({
    databaseUrl: options.databaseUrl,
    channels: [SERVING_CHANNEL, API_TOKENS_CHANNEL],
    onNotification: (channel, payload) =>
      channel === API_TOKENS_CHANNEL ? refreshTokens('notified') : refreshModels(`notified: ${payload}`),
    onReconnect: () => refreshAll('reconnected'),
    log,
  });
  let periodic: NodeJS.Timeout | undefined;
  let closing: Promise<void> | undefined;

  return {
    metrics,
    models,
    predictionLog,
    async listen(port, host) {
      // First: a spill an earlier server left is replayed, and this one's rows can spill from the start.
      await predictionLog.open();
      await auth.refresh();
      await models.refresh();
      await listener.start();
      periodic = setInterval(() => refreshAll('periodic'), settings.refreshIntervalMs);
      periodic.unref();
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, host, () => {
            server.off('error', reject);
            resolve();
          });
        });
      } catch (error) {
        clearInterval(periodic);
        await listener.stop();
        throw error;
      }
      const address = server.address() as AddressInfo;
      const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
      log.info({ url, models: [...models.current.keys()] }, `prediction server listening on ${url}`);
      return url;
    },
    close() {
      closing ??= (async () => {
        shuttingDown = true;
        clearInterval(periodic);
        await listener.stop();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        if (inFlight > 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, settings.shutdownGraceMs);
            drained = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
        server.closeAllConnections();
        await stopped;
        const { dropped } = await predictionLog.close(settings.shutdownGraceMs);
        log.info({ dropped }, 'prediction server stopped; the prediction log is written');
      })();
      return closing;
    },
  };
}

function send(
  response: http.ServerResponse,
  reply: Reply,
  headers: Readonly<Record<string, string>>,
  closeConnection: boolean,
): void {
  // Gone (the client left, or timed out and got its 408), or answered already: nothing to send.
  if (response.destroyed || response.headersSent) return;
  const payload = reply.text ?? JSON.stringify(reply.body);
  response.writeHead(reply.status, {
    'content-type': reply.contentType ?? 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    ...headers,
    // While shutting down, clients are told to reconnect (to another replica) after this answer.
    ...(closeConnection ? { connection: 'close' } : {}),
  });
  response.end(payload);
}

function internalError(error: unknown, log: Logger, labels: RequestLabels): HttpError {
  log.error({ err: error, ...labels }, 'serving: a request failed unexpectedly');
  return new HttpError(
    500,
    'internal',
    'the server failed to answer this request; the server log has the details',
  );
}
