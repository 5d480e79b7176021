/**
 * Serving load: a model trained by the real pipeline, served by `mlops serve` in its own process with
 * a 30% canary of a second version and the model's monitor judging drift windows every 30 s, driven
 * first flat out (its capacity, here and now) and then at a fraction of that for a while. Reports
 * the answers by status, prediction-log rows against predictions answered (after the log has caught
 * up), the server's resident memory over time, and what the monitor judged meanwhile.
 */
import type { Client } from '@temporalio/client';
import { ModelLoopClient } from '../../client/loop.js';
import type { Connections } from '../../config/connections.js';
import type { DatabaseHandle } from '../../db/client.js';
import { waitUntil } from '../../stack/processes.js';
import { startOurServer } from '../bench/serving-server.js';
import {
  CANARY_SHARE,
  loggedRows,
  requestBodies,
  servesCanary,
  startCanary,
  trainServedModel,
} from '../support/served-model.js';
import { residentMiB } from '../support/statistics.js';
import {
  closedLoop,
  openLoop,
  serverErrors,
  type TrafficResult,
  type TrafficTarget,
} from '../support/traffic.js';

export interface ServingLoadPlan {
  /** Seconds of flat-out traffic that measure the capacity. */
  readonly capacitySeconds: number;
  /** Seconds at `fraction` of it. */
  readonly loadSeconds: number;
  readonly fraction: number;
  readonly rowsPerRequest: number;
  /** Resident memory is sampled this often during the load. */
  readonly sampleEverySeconds: number;
  /** Then a second server at the same rate is SIGKILLed after this many seconds (none: no crash). */
  readonly crashAfterSeconds?: number;
}

/** What a SIGKILL of a server under load lost: predictions it answered that never reached the log. */
export interface CrashLoss {
  readonly answered: number;
  readonly logged: number;
  /** The lost rows as milliseconds of answers at the rate it ran. */
  readonly lostMs: number;
}

export interface ServingLoadReport {
  readonly modelName: string;
  readonly capacity: TrafficResult;
  readonly load: TrafficResult;
  readonly targetRequestsPerSecond: number;
  /** Predictions answered with 200 over the whole run (warm-up, capacity, load). */
  readonly answered: number;
  /** prediction_logs rows of the model once the log caught up (or the wait ran out). */
  readonly logged: number;
  /** Logged rows that the canary's version answered, as a share of all. */
  readonly challengerShare: number;
  readonly rss: readonly { readonly second: number; readonly mib: number }[];
  /** Windows the monitor judged while the load ran. */
  readonly monitorWindows: number;
  readonly crash?: CrashLoss;
}

export async function runServingLoad(options: {
  readonly temporal: Client;
  readonly database: DatabaseHandle;
  readonly connections: Connections;
  readonly taskQueue: string;
  readonly plan: ServingLoadPlan;
  readonly log: (line: string) => void;
}): Promise<ServingLoadReport> {
  const { temporal, database, plan, log, taskQueue } = options;
  const { modelName, token } = await trainServedModel(temporal, database, taskQueue, 'load-served');
  const canaryVersion = await startCanary(database, modelName);
  const loop = new ModelLoopClient(temporal, { cpu: taskQueue, gpu: taskQueue });
  await loop.startMonitor(modelName, { intervalSeconds: 30, minRows: 500 });
  const server = await startOurServer(options.connections, modelName);
  try {
    await waitUntil('the server to serve the canary', () => servesCanary(server.url, modelName, token), {
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    const bodies = await requestBodies(plan.rowsPerRequest);
    const targetOf = (url: string): TrafficTarget => ({
      url: `${url}/v1/models/${modelName}:predict`,
      token,
      bodies,
      rowsPerRequest: plan.rowsPerRequest,
    });
    const target = targetOf(server.url);
    const warmUp = await closedLoop(target, 16, 3);
    const capacity = await closedLoop(target, 16, plan.capacitySeconds);
    const targetRequestsPerSecond = capacity.requestsPerSecond * plan.fraction;
    log(
      `capacity ${capacity.requestsPerSecond.toFixed(0)} requests/s (${plan.rowsPerRequest} rows each); now ${targetRequestsPerSecond.toFixed(0)}/s for ${plan.loadSeconds} s`,
    );
    const rss = [{ second: 0, mib: residentMiB(server.pid) }];
    const load = await openLoop(target, {
      ratePerSecond: targetRequestsPerSecond,
      seconds: plan.loadSeconds,
      maxInFlight: 256,
      onSecond: (second) => {
        if (second % plan.sampleEverySeconds === 0) rss.push({ second, mib: residentMiB(server.pid) });
      },
    });
    const answered = warmUp.predictions + capacity.predictions + load.predictions;
    const logs = await loggedRows(database, modelName, canaryVersion, answered);
    const status = await loop.monitorStatus(modelName);
    const crash =
      plan.crashAfterSeconds === undefined
        ? undefined
        : await measureCrashLoss({
            ...options,
            modelName,
            token,
            canaryVersion,
            targetOf,
            ratePerSecond: targetRequestsPerSecond,
            seconds: plan.crashAfterSeconds,
          });
    return {
      modelName,
      capacity,
      load,
      targetRequestsPerSecond,
      answered,
      logged: logs.rows,
      challengerShare: logs.rows === 0 ? 0 : logs.challengerRows / logs.rows,
      rss,
      monitorWindows: status.windows.length,
      crash,
    };
  } finally {
    await loop.stopMonitor(modelName, 'the serving load ended').catch(() => undefined);
    await server.stop();
  }
}

/**
 * A fresh server under the same open-loop load, SIGKILLed mid-stream with PostgreSQL up: the rows
 * it answered but had not yet written (its in-memory queue) are what a crash loses.
 */
async function measureCrashLoss(options: {
  readonly connections: Connections;
  readonly database: DatabaseHandle;
  readonly modelName: string;
  readonly token: string;
  readonly canaryVersion: number;
  readonly targetOf: (url: string) => TrafficTarget;
  readonly ratePerSecond: number;
  readonly seconds: number;
}): Promise<CrashLoss> {
  const { database, modelName, canaryVersion } = options;
  const server = await startOurServer(options.connections, modelName);
  try {
    await waitUntil(
      'the new server to serve the canary',
      () => servesCanary(server.url, modelName, options.token),
      {
        timeoutMs: 30_000,
        intervalMs: 200,
      },
    );
    const before = await loggedRows(database, modelName, canaryVersion, 0, 0);
    const stop = new AbortController();
    const target = options.targetOf(server.url);
    const traffic = openLoop(target, {
      ratePerSecond: options.ratePerSecond,
      seconds: Number.POSITIVE_INFINITY,
      maxInFlight: 256,
      signal: stop.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, options.seconds * 1000));
    await server.crash();
    stop.abort();
    const answered = (await traffic).predictions;
    // Whatever the dead server had committed is there now; nothing more will come.
    const after = await loggedRows(database, modelName, canaryVersion, before.rows + answered, 3000);
    const logged = after.rows - before.rows;
    const rowsPerMs = (options.ratePerSecond * target.rowsPerRequest) / 1000;
    return { answered, logged, lostMs: (answered - logged) / rowsPerMs };
  } finally {
    await server.stop();
  }
}

/**
 * Whether the run held: no 5xx or connection error, and every answered prediction logged once.
 * Sends the open loop skipped (the server more than `maxInFlight` requests behind for a moment)
 * are a latency figure the table prints, not a failure: nothing was refused or lost.
 */
export function servingLoadHeld(report: ServingLoadReport): boolean {
  const failed =
    serverErrors(report.load) + serverErrors(report.capacity) + (report.load.statuses.get(0) ?? 0);
  return failed === 0 && report.logged === report.answered;
}

export function formatServingLoad(report: ServingLoadReport, plan: ServingLoadPlan): string {
  const statuses = (result: TrafficResult) =>
    [...result.statuses]
      .map(([status, count]) => `${status === 0 ? 'connection error' : status}: ${count}`)
      .join(', ');
  const rssValues = report.rss.map((sample) => sample.mib).filter(Number.isFinite);
  const phases: [string, TrafficResult][] = [
    [`capacity (16 in flight, ${plan.capacitySeconds} s)`, report.capacity],
    [
      `${Math.round(plan.fraction * 100)}% of it for ${plan.loadSeconds} s (${report.targetRequestsPerSecond.toFixed(0)}/s)`,
      report.load,
    ],
  ];
  return [
    '| phase | requests/s | predictions/s | p50 | p99 | answers |',
    '|---|---|---|---|---|---|',
    ...phases.map(
      ([label, result]) =>
        `| ${label} | ${result.requestsPerSecond.toFixed(0)} | ${(result.requestsPerSecond * plan.rowsPerRequest).toFixed(0)} | ${result.p50Ms.toFixed(1)} ms | ${result.p99Ms.toFixed(1)} ms | ${statuses(result)}${result.skipped ? `, skipped: ${result.skipped}` : ''} |`,
    ),
    '',
    '| invariant | value |',
    '|---|---|',
    `| 5xx answers | ${serverErrors(report.capacity) + serverErrors(report.load)} |`,
    `| prediction-log rows / predictions answered | ${report.logged.toLocaleString()} / ${report.answered.toLocaleString()} |`,
    `| logged rows the canary (v2) answered | ${(report.challengerShare * 100).toFixed(1)}% (split ${CANARY_SHARE * 100}%) |`,
    `| monitor windows judged during the run | ${report.monitorWindows} |`,
    `| server RSS, MiB (every ${plan.sampleEverySeconds} s) | ${report.rss.map((sample) => sample.mib.toFixed(0)).join(' ')} |`,
    `| server RSS first / last / max | ${rssValues[0]?.toFixed(0)} / ${rssValues.at(-1)?.toFixed(0)} / ${Math.max(...rssValues).toFixed(0)} MiB |`,
    ...(report.crash
      ? [
          `| a second server SIGKILLed after ${plan.crashAfterSeconds} s at the same rate: answered / logged / lost | ${report.crash.answered.toLocaleString()} / ${report.crash.logged.toLocaleString()} / ${(report.crash.answered - report.crash.logged).toLocaleString()} rows (${report.crash.lostMs.toFixed(0)} ms of answers) |`,
        ]
      : []),
  ].join('\n');
}
