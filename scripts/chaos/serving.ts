/**
 * Serving traffic during the chaos run: `mlops serve` in its own process answers a steady open-loop
 * load for the whole run, so PostgreSQL's freezes land during prediction logging, and a canary
 * version is added while S3 is frozen, so the server has to load a model from an S3 that does not
 * answer. Afterwards: every request answered 200, every answered prediction in prediction_logs once,
 * and the canary served once S3 was back.
 */
import type { Client } from '@temporalio/client';
import type { Connections } from '../../config/connections.js';
import type { DatabaseHandle } from '../../db/client.js';
import { waitUntil } from '../../stack/processes.js';
import { startOurServer } from '../bench/serving-server.js';
import {
  loggedRows,
  requestBodies,
  servesCanary,
  startCanary,
  trainServedModel,
} from '../support/served-model.js';
import { openLoop, type TrafficResult } from '../support/traffic.js';

export interface ServingTraffic {
  readonly requestsPerSecond: number;
  readonly rowsPerRequest: number;
}

export interface ServingChaosReport {
  readonly traffic: TrafficResult;
  /** Predictions answered with 200, and the model's prediction_logs rows once the log caught up. */
  readonly answered: number;
  readonly logged: number;
  /** Whether the canary added while S3 was frozen was served by the end (undefined: none added). */
  readonly canaryServed: boolean | undefined;
}

export interface ChaosServing {
  /** Adds a canary version, which the server loads from S3: called while S3 is frozen. */
  addCanary(): Promise<void>;
  /** Stops the traffic, waits for the canary and the log, stops the server. */
  finish(): Promise<ServingChaosReport>;
}

export async function startChaosServing(options: {
  readonly temporal: Client;
  readonly database: DatabaseHandle;
  readonly connections: Connections;
  readonly taskQueue: string;
  readonly traffic: ServingTraffic;
}): Promise<ChaosServing> {
  const { database, traffic } = options;
  // Trained before any fault: the faults are for the serving, not for this model's pipeline.
  const { modelName, token } = await trainServedModel(
    options.temporal,
    database,
    options.taskQueue,
    'chaos-served',
  );
  const server = await startOurServer(options.connections, modelName);
  const stop = new AbortController();
  const load = openLoop(
    {
      url: `${server.url}/v1/models/${modelName}:predict`,
      token,
      bodies: await requestBodies(traffic.rowsPerRequest),
      rowsPerRequest: traffic.rowsPerRequest,
    },
    {
      ratePerSecond: traffic.requestsPerSecond,
      seconds: Number.POSITIVE_INFINITY,
      maxInFlight: 512,
      signal: stop.signal,
    },
  );
  let canaryVersion: number | undefined;
  return {
    addCanary: async () => {
      canaryVersion = await startCanary(database, modelName);
    },
    finish: async () => {
      try {
        stop.abort();
        const result = await load;
        const canaryServed =
          canaryVersion === undefined
            ? undefined
            : await waitUntil('the canary to be served', () => servesCanary(server.url, modelName, token), {
                timeoutMs: 120_000,
                intervalMs: 500,
              }).catch(() => false);
        const logs = await loggedRows(database, modelName, canaryVersion ?? 0, result.predictions);
        return { traffic: result, answered: result.predictions, logged: logs.rows, canaryServed };
      } finally {
        await server.stop();
      }
    },
  };
}
