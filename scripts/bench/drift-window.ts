// A monitoring window over 1M logged predictions, end to end: PostgreSQL rows (inputs as JSONB)
// streamed through the drift accumulator against the champion's reference profile, plus the live
// metric on labeled rows. Trains the flights sample model first (its reference profile), then logs
// real flights as predictions. Goal: 1M rows in at most 1 s for 10 features (this model has 5).
//   npm run bench:drift-window [-- --rows=1000000]
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { MockActivityEnvironment } from '@temporalio/testing';
import { parse } from 'yaml';
import { createDriftWindowActivities } from '../../activities/loop/drift-window.js';
import type { DriftWindowOutput } from '../../contracts/loop-stages.js';
import { connectClient } from '../../client/connect.js';
import { startPipeline } from '../../client/pipeline.js';
import { loadConfig } from '../../config/index.js';
import { createLogger } from '../../config/logger.js';
import { connectDatabase } from '../../db/client.js';
import { findModelVersion } from '../../db/queries/registry.js';
import { insertPredictionLogs } from '../../db/queries/serving.js';
import { parseSpec } from '../../spec/parse.js';
import { ArtifactStore } from '../../storage/artifact-store.js';
import { startWorkerPools } from '../../workers/pools.js';
import { ensureStack } from '../../stack/launcher.js';
import { printTable } from './table.js';

const rows = Number(process.argv.find((argument) => argument.startsWith('--rows='))?.slice(7) ?? 1_000_000);
const config = loadConfig({ ...process.env, MLOPS_LOG_LEVEL: 'warn' });
const log = createLogger('warn');
const stack = await ensureStack(config);
const pools = await startWorkerPools({ config, connections: stack.connections, pools: ['cpu'], log });
const client = await connectClient(config, stack.connections);
const database = connectDatabase(stack.connections.databaseUrl);
const store = ArtifactStore.fromSettings(stack.connections.s3);
try {
  const example = parse(readFileSync('examples/flights-sample.yaml', 'utf8')) as Record<string, unknown>;
  const spec = parseSpec({ ...example, name: `bench-drift-${randomUUID().slice(0, 8)}` });
  const trained = await (
    await startPipeline(client.temporal, spec, { taskQueues: config.taskQueues })
  ).result();
  if (!trained.model) throw new Error(`training failed: ${trained.error?.message}`);
  const version = await findModelVersion(database.db, spec.name, trained.model.version);

  // Real flights as logged predictions, all inside one window.
  const duckdb = await DuckDBInstance.create(':memory:');
  const connection = await duckdb.connect();
  const flights = (
    await connection.runAndReadAll(
      `select hour("date")::INTEGER as hour, dayofweek("date")::INTEGER as day_of_week, distance::DOUBLE as distance, origin, destination
       from 'node_modules/vega-datasets/data/flights-3m.parquet' limit ${rows}`,
    )
  ).getRowObjectsJson() as Record<string, unknown>[];
  connection.closeSync();
  const at = new Date(Date.UTC(2035, 0, 1));
  const insertStarted = performance.now();
  for (let start = 0; start < flights.length; start += 10_000) {
    await insertPredictionLogs(
      database.db,
      flights.slice(start, start + 10_000).map((inputs) => ({
        predictionId: randomUUID(),
        modelVersionId: version!.id,
        deploymentId: null,
        inputs,
        output: 'false',
        probabilities: null,
        latencyMs: 1,
        requestKey: null,
        createdAt: at,
      })),
    );
  }
  const insertSeconds = (performance.now() - insertStarted) / 1000;

  const activities = createDriftWindowActivities({
    db: database.db,
    artifacts: store,
    log,
    workerIdentity: 'bench',
    codeVersion: 'bench',
    cpuWattsPerCore: 12,
    checkpointIntervalMs: 30_000,
    dataRoots: [],
    stateFolders: [],
    sourcePolicy: { platformBucket: store.bucket, dataBuckets: [], httpAllow: [] },
  });
  const timings: number[] = [];
  let result: DriftWindowOutput | undefined;
  for (let run = 0; run < 3; run += 1) {
    const started = performance.now();
    result = (await new MockActivityEnvironment().run(activities.computeDriftWindow, {
      modelName: spec.name,
      windowStart: at.getTime(),
      windowEnd: at.getTime() + 1,
    })) as DriftWindowOutput;
    timings.push((performance.now() - started) / 1000);
  }
  printTable(
    `Drift window over ${flights.length.toLocaleString()} logged predictions (5 features), PostgreSQL to report`,
    ['measure', 'value'],
    [
      [
        'prediction-log ingest (batches of 10k)',
        `${Math.round(flights.length / insertSeconds).toLocaleString()} rows/s`,
      ],
      ['window computation, best of 3', `${Math.min(...timings).toFixed(2)} s`],
      ['window computation, runs', timings.map((seconds) => seconds.toFixed(2)).join(', ')],
      ['rows judged', String(result?.rows)],
      ['max PSI (same distribution as training: small)', result?.maxPsi?.toFixed(4) ?? '-'],
    ],
  );
} finally {
  await client.close();
  await database.close();
  store.client.destroy();
  await pools.shutdown();
  await stack.stop();
}
