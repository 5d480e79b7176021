// The prediction server under load, with prediction logging on, against MLflow's `mlflow models serve`
// of a scikit-learn model trained on the same penguins data, in the same run: single-row and
// 32-row requests, each side for --duration seconds (default 30) after a short warm-up, driven by
// wrk (apt-get install -y wrk). Prints throughput, p50/p99 latency, the server's CPU use, and
// prediction-log rows written against predictions answered. Goals: >= 10k single-row
// predictions/s, p99 <= 5 ms on 2 cores, >= 10x MLflow's throughput.
//   npm run bench:serving [-- --duration=30 --connections=16 --skip-mlflow]
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { connectClient } from '../../client/connect.js';
import { startPipeline } from '../../client/pipeline.js';
import { loadConfig } from '../../config/index.js';
import { createLogger } from '../../config/logger.js';
import { connectDatabase } from '../../db/client.js';
import { migrateDatabase } from '../../db/migrate.js';
import { createApiToken } from '../../db/queries/api-tokens.js';
import { findModelVersion } from '../../db/queries/registry.js';
import { parseSpec } from '../../spec/parse.js';
import { startWorkerPools } from '../../workers/pools.js';
import { ensureStack } from '../../stack/launcher.js';
import { measureLogIngest } from './serving-ingest.js';
import { runWrk, type LoadResult } from './serving-load.js';
import { ensureMlflowVenv, mlflowVersion, startMlflowServer, trainMlflowModel } from './serving-mlflow.js';
import { settledCounters, startOurServer, treeCpuSeconds } from './serving-server.js';
import { printTable } from './table.js';
import { PENGUIN_MEASUREMENTS } from '../support/served-model.js';

const flag = (name: string) =>
  process.argv.find((argument) => argument.startsWith(`--${name}=`))?.split('=')[1];
const seconds = Number(flag('duration') ?? 30);
const connections = Number(flag('connections') ?? 16);
const skipMlflow = process.argv.includes('--skip-mlflow');
const PENGUINS = path.resolve('node_modules/vega-datasets/data/penguins.json');
const penguins = (JSON.parse(await readFile(PENGUINS, 'utf8')) as Record<string, unknown>[]).filter(
  (row) => row.Species !== null,
);
const instance = (index: number) => {
  const { Species: _species, Sex: _sex, ...features } = penguins[index % penguins.length];
  return features;
};

const config = loadConfig({
  ...process.env,
  MLOPS_HOME: process.env.MLOPS_HOME ?? '.mlops/bench-serving',
  MLOPS_LOG_LEVEL: 'warn',
  MLOPS_GPUS: 'none',
  MLOPS_CPU_TASK_QUEUE: `bench-serving-${randomUUID().slice(0, 8)}`,
});
const stack = await ensureStack(config);
const { connections: endpoints } = stack;
const database = connectDatabase(endpoints.databaseUrl);
await migrateDatabase(database.db);
const scratch = await mkdtemp(path.join(os.tmpdir(), 'mlops-bench-serving-'));
const cleanups: (() => Promise<unknown>)[] = [];

try {
  // The model: the penguins example through the real pipeline (worker pool in this process, then stopped).
  const pools = await startWorkerPools({
    config,
    connections: endpoints,
    pools: ['cpu'],
    log: createLogger('warn', { bench: 'serving' }),
  });
  const client = await connectClient(config, endpoints);
  const example = parse(await readFile('examples/penguins.yaml', 'utf8')) as Record<string, unknown>;
  const spec = parseSpec({
    ...example,
    name: 'bench-serving-penguins',
    train: { trainer: 'logistic_regression', params: { l2: 0.001 } },
    // Requests cycle through every penguin, two of which lack the measurements.
    serving: { allowMissing: PENGUIN_MEASUREMENTS },
  });
  const run = await startPipeline(client.temporal, spec, {
    taskQueues: pools.taskQueues,
    trigger: 'benchmark',
  });
  const trained = await run.result();
  await client.close();
  await pools.shutdown();
  if (!trained.model || !trained.promoted)
    throw new Error(`training failed: ${trained.status} ${trained.error?.message ?? ''}`);
  const version = (await findModelVersion(database.db, spec.name, trained.model.version))!;
  const { token } = await createApiToken(database.db, {
    name: `bench-${randomUUID().slice(0, 8)}`,
    scopes: ['predict'],
  });

  const ingest = await measureLogIngest(database.db, version.id);
  printTable(
    'Prediction-log writes, 50,000 rows in batches of 1000 (rows/s)',
    ['method', 'rows/s'],
    ingest.map((entry) => [entry.method, Math.round(entry.rowsPerSecond).toLocaleString()]),
  );

  const ours = await startOurServer(endpoints, spec.name);
  cleanups.push(ours.stop);
  let mlflow: Awaited<ReturnType<typeof startMlflowServer>> | undefined;
  let mlflowLabel = '';
  if (!skipMlflow) {
    ensureMlflowVenv();
    const folder = path.join(scratch, 'mlflow-model');
    const fitted = trainMlflowModel(PENGUINS, folder);
    mlflowLabel = `mlflow ${mlflowVersion()} (training accuracy ${fitted.trainingAccuracy.toFixed(3)})`;
    mlflow = await startMlflowServer(folder, 5000 + Math.floor(Math.random() * 1000));
    cleanups.push(mlflow.stop);
  }

  // What the machine allows right now: the same server answering GET /healthz (no work, no logging).
  const baseline = await runWrk({
    url: `${ours.url}/healthz`,
    body: undefined,
    seconds: Math.min(seconds, 10),
    connections,
    scratchFolder: scratch,
  });
  const rows: (string | number)[][] = [resultRow('baseline: GET /healthz', 1, baseline, NaN, null)];
  const oursUrl = `${ours.url}/v1/models/${spec.name}:predict`;
  const instancesOf = (batch: number) => Array.from({ length: batch }, (_, index) => instance(index * 7));
  /** One row of ours: warm-up, then the measured run, with the log's rows counted once it has caught up. */
  const measureOurs = async (
    label: string,
    batch: number,
    load: { connections: number; delayMs: number },
  ) => {
    const body = { instances: instancesOf(batch) };
    await runWrk({ url: oursUrl, body, token, seconds: 3, ...load, scratchFolder: scratch });
    const settled = await settledCounters(ours.url, database, version.id, ours.pid);
    const before = { ...settled, cpuSeconds: treeCpuSeconds(ours.pid) };
    const result = await runWrk({ url: oursUrl, body, token, seconds, ...load, scratchFolder: scratch });
    const after = await settledCounters(ours.url, database, version.id, ours.pid);
    rows.push(
      resultRow(label, batch, result, after.cpuSeconds - before.cpuSeconds, {
        answered: after.answered - before.answered,
        written: after.rows - before.rows,
      }),
    );
  };
  const measureMlflow = async (label: string, batch: number) => {
    if (!mlflow) return;
    const body = { dataframe_records: instancesOf(batch) };
    const url = `${mlflow.url}/invocations`;
    await runWrk({ url, body, seconds: 3, connections, scratchFolder: scratch });
    const cpuBefore = treeCpuSeconds(mlflow.pid);
    const result = await runWrk({ url, body, seconds, connections, scratchFolder: scratch });
    rows.push(resultRow(label, batch, result, treeCpuSeconds(mlflow.pid) - cpuBefore, null));
  };
  const flatOut = { connections, delayMs: 0 };
  await measureOurs('ours, 1 row', 1, flatOut);
  await measureMlflow('mlflow, 1 row', 1);
  // Below saturation (about 8-10k requests/s here): 16 connections, each pausing 1 ms between an
  // answer and its next request, for the latency at a rate near the goal rather than flat out.
  await measureOurs('ours, 1 row, paced', 1, { connections: 16, delayMs: 1 });
  await measureOurs('ours, 32 rows', 32, flatOut);
  await measureMlflow('mlflow, 32 rows', 32);
  printTable(
    `Serving ${spec.name} v${version.version}: ${seconds} s per row, wrk -t1 -c${connections} (paced: -c16, 1 ms pauses), ${os.availableParallelism()} cores, load average before ${os
      .loadavg()
      .map((value) => value.toFixed(1))
      .join(' ')}${mlflowLabel ? `; ${mlflowLabel}` : ''}`,
    [
      'server',
      'requests/s',
      'predictions/s',
      'p50 ms',
      'p99 ms',
      'failed',
      'server CPU (cores)',
      'log rows written / answered',
    ],
    rows,
  );
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => console.error(error));
  await database.close();
  await stack.stop();
  await rm(scratch, { recursive: true, force: true });
}

function resultRow(
  label: string,
  batch: number,
  load: LoadResult,
  cpuSeconds: number,
  logging: { answered: number; written: number } | null,
): (string | number)[] {
  return [
    label,
    Math.round(load.requestsPerSecond).toLocaleString(),
    Math.round(load.requestsPerSecond * batch).toLocaleString(),
    load.p50Ms.toFixed(2),
    load.p99Ms.toFixed(2),
    load.failed,
    Number.isNaN(cpuSeconds) ? '-' : (cpuSeconds / load.seconds).toFixed(2),
    logging
      ? `${logging.written.toLocaleString()} / ${logging.answered.toLocaleString()}`
      : 'n/a (no logging)',
  ];
}
