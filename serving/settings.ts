import type { Config } from '../config/index.js';
import type { PredictionLogSettings } from './prediction-log.js';

/** How a prediction server behaves; `servingSettings(config)` reads them from the environment. */
export interface ServingSettings {
  readonly maxBodyBytes: number;
  readonly maxInstances: number;
  /**
   * How long a client may take to send a request's headers, and the whole request (body
   * included), before it gets 408 and its connection is closed: slow clients cannot hold the server.
   */
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** Open connections accepted; past them, a new connection is closed at once. */
  readonly maxConnections: number;
  readonly predictionLog: PredictionLogSettings;
  /** The periodic re-check of aliases, splits and tokens, besides NOTIFY. */
  readonly refreshIntervalMs: number;
  /** Serve only these models; undefined: every model with a champion. */
  readonly models: readonly string[] | undefined;
  /** How long in-flight requests and the prediction log get to finish on shutdown. */
  readonly shutdownGraceMs: number;
  /**
   * The key of `pii.hash` (MLOPS_PII_HMAC_KEY), the same the workers de-identify with: serving
   * hashes those inputs as training did. Versions that hash inputs are not served without it.
   */
  readonly piiHmacKey: string | undefined;
}

export const defaultServingSettings: ServingSettings = {
  maxBodyBytes: 1024 * 1024,
  maxInstances: 1000,
  // A client on a poor mobile link sends a 1 MiB body in well under 30 s; one that takes longer is
  // holding a connection rather than using it.
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  // Far above what one replica serves at once, low enough that file descriptors and memory hold.
  maxConnections: 4096,
  // Written every 100 ms or as soon as 1000 rows wait: a few round trips a second at low traffic,
  // batches of 1000 under load.
  // A write hanging for 10 s (a network partition rather than a refused connection) counts as the
  // database being away: the rows go to the spill rather than wait for the TCP timeout.
  predictionLog: {
    capacity: 10_000,
    batchRows: 1000,
    flushIntervalMs: 100,
    maxWaitMs: 5000,
    writeTimeoutMs: 10_000,
  },
  refreshIntervalMs: 5000,
  models: undefined,
  shutdownGraceMs: 30_000,
  piiHmacKey: undefined,
};

export function servingSettings(config: Config): ServingSettings {
  return {
    ...defaultServingSettings,
    maxBodyBytes: config.serving.maxBodyBytes,
    maxInstances: config.serving.maxInstances,
    headersTimeoutMs: config.serving.headersTimeoutMs,
    requestTimeoutMs: config.serving.requestTimeoutMs,
    maxConnections: config.serving.maxConnections,
    predictionLog: {
      ...defaultServingSettings.predictionLog,
      capacity: config.serving.predictionLogQueue,
      batchRows: Math.min(defaultServingSettings.predictionLog.batchRows, config.serving.predictionLogQueue),
      spill: {
        directory: config.serving.predictionSpillDir,
        maxBytes: config.serving.predictionSpillMaxBytes,
      },
    },
    refreshIntervalMs: config.serving.refreshIntervalMs,
    models: config.serving.models,
    shutdownGraceMs: config.shutdownGraceMs,
    piiHmacKey: config.piiHmacKey,
  };
}
