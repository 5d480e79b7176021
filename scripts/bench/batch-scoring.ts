/**
 * Batch scoring at scale (`npm run bench:score`, `-- --rows 1000000` for a shorter one): a
 * flights model scores 10M rows (the 3M flights of vega-datasets, repeated) through `mlops score`'s
 * workflow on two `mlops worker` processes; once a few chunks are done one worker is killed
 * (SIGKILL) and a third starts. Prints rows/s, each worker's peak RSS, the chunks scored again
 * after the kill and how long the batch took to recover, and checks the output: every row once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import { parse } from 'yaml';
import { batchKey, startBatchScoring } from '../../client/batch-scoring.js';
import { startPipeline } from '../../client/pipeline.js';
import type { BatchScoringResult } from '../../contracts/batch-scoring.js';
import { listStageRuns, findPipelineRun } from '../../db/queries/runs.js';
import { parseSpec } from '../../spec/parse.js';
import { connectionVariables } from '../../stack/env-file.js';
import { startBenchPlatform } from './bench-platform.js';

const rowsArgument = process.argv.indexOf('--rows');
const ROWS = rowsArgument > 0 ? Number(process.argv[rowsArgument + 1]) : 10_000_000;
const CHUNK_ROWS = Math.max(10_000, Math.round(ROWS / 20));
const FLIGHTS = path.resolve('node_modules/vega-datasets/data/flights-3m.parquet');
// Under the working directory (local inputs are read from there), outside the state folder.
const DATA = path.resolve('scripts/bench/.data');

const platform = await startBenchPlatform('score');
// A model of this run's own: the bench's queue is new every run, and a model promoted by an earlier
// run has its lifecycle workflow waiting on that run's queue, which nothing polls any more.
const MODEL = `flights-batch-bench-${batchKey().slice(-8)}`;
const workers: { name: string; child: ChildProcess; peakRss: number }[] = [];
try {
  const input = path.join(DATA, `flights-${ROWS}.parquet`);
  if (!existsSync(input)) await writeInput(input);
  const spec = parseSpec(
    parse(await readFile('examples/flights-sample.yaml', 'utf8')),
    'flights-sample.yaml',
  );
  const trained = await (
    await startPipeline(
      platform.client.temporal,
      { ...spec, name: MODEL },
      {
        taskQueues: platform.config.taskQueues,
        trigger: 'script',
      },
    )
  ).result();
  if (trained.status !== 'succeeded') throw new Error(`training failed: ${trained.error?.message}`);

  // The batch runs on worker processes of a queue of its own, so the bench's in-process pool takes none of it.
  const taskQueue = `bench-score-workers-${batchKey().slice(-8)}`;
  const workerEnv = {
    ...process.env,
    ...connectionVariables(platform.stack.connections),
    MLOPS_CPU_TASK_QUEUE: taskQueue,
    MLOPS_GPUS: 'none',
    MLOPS_LOG_LEVEL: 'warn',
  };
  const startWorker = (name: string) => {
    const child = spawn(process.execPath, ['cli/mlops.mjs', 'worker', '--pool', 'cpu'], {
      env: workerEnv,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    workers.push({ name, child, peakRss: 0 });
  };
  startWorker('A');
  startWorker('B');
  const sampler = setInterval(() => void sampleRss(), 500);

  const started = Date.now();
  const run = await startBatchScoring(platform.client.temporal, {
    modelName: MODEL,
    version: 'champion',
    inputUri: input,
    outputUri: `s3://${platform.config.s3.bucket}/scores/${MODEL}/${batchKey()}`,
    chunkRows: CHUNK_ROWS,
    parallelism: 4,
    monitorRows: 0,
    taskQueues: { cpu: taskQueue, gpu: taskQueue },
    trigger: 'script',
  });
  let killedAt: number | undefined;
  for (;;) {
    const progress = await run.progress().catch(() => undefined);
    if (progress && progress.chunksDone >= 4 && killedAt === undefined) {
      workers[0].child.kill('SIGKILL');
      killedAt = Date.now();
      startWorker('C');
      process.stderr.write(
        `killed worker A after ${progress.chunksDone} of ${progress.chunks} chunks; started C\n`,
      );
    }
    if (!progress || progress.stage === 'done') {
      const description = await run.handle.describe();
      if (description.status.name !== 'RUNNING') break;
    }
    await sleep(250);
  }
  const result: BatchScoringResult = await run.handle.result();
  const finishedAt = Date.now();
  clearInterval(sampler);

  const stages = await listStageRuns(
    platform.database.db,
    (await findPipelineRun(platform.database.db, { workflowId: result.workflowId }))!.id,
  );
  const rescored = stages.filter((stage) => stage.stage.startsWith('score/') && stage.attempt > 1);
  const outputRows = await countOutputRows(platform, result);
  const prepare = stages.find((stage) => stage.stage === 'prepare');
  const rows = [
    [
      'rows scored',
      `${result.rows.toLocaleString('en-US')} (output holds ${outputRows.toLocaleString('en-US')})`,
    ],
    ['chunks', `${result.parts.length} of ${CHUNK_ROWS.toLocaleString('en-US')} rows, 4 at a time`],
    ['prepare (fetch, snapshot, cut, upload)', `${((prepare?.durationMs ?? 0) / 1000).toFixed(1)} s`],
    [
      'scoring',
      `${(result.scoringMs / 1000).toFixed(1)} s: ${Math.round(result.rows / (result.scoringMs / 1000)).toLocaleString('en-US')} rows/s`,
    ],
    [
      'end to end',
      `${((finishedAt - started) / 1000).toFixed(1)} s: ${Math.round(result.rows / ((finishedAt - started) / 1000)).toLocaleString('en-US')} rows/s`,
    ],
    [
      'chunks scored again after the kill',
      `${rescored.length} (${rescored.map((stage) => stage.stage).join(', ') || '-'})`,
    ],
    [
      'kill to done',
      killedAt
        ? `${((finishedAt - killedAt) / 1000).toFixed(1)} s (a lost chunk waits out its 30 s heartbeat timeout)`
        : '-',
    ],
    ...workers.map((worker) => [
      `peak RSS, worker ${worker.name}`,
      `${Math.round(worker.peakRss / 1024 / 1024)} MiB`,
    ]),
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  process.stdout.write(`batch scoring, ${ROWS.toLocaleString('en-US')} rows, 2 cores\n`);
  for (const [label, value] of rows) process.stdout.write(`  ${label.padEnd(width)}  ${value}\n`);
  if (outputRows !== result.rows) throw new Error(`the output holds ${outputRows} rows, not ${result.rows}`);
} finally {
  for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGTERM');
  await platform.stop();
}

async function sampleRss(): Promise<void> {
  for (const worker of workers) {
    if (worker.child.exitCode !== null || worker.child.pid === undefined) continue;
    const status = await readFile(`/proc/${worker.child.pid}/status`, 'utf8').catch(() => '');
    const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    worker.peakRss = Math.max(worker.peakRss, kib * 1024);
  }
}

/** The flights' features, repeated to ROWS rows, as one Parquet file. */
async function writeInput(file: string): Promise<void> {
  await mkdir(DATA, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(
    `COPY (SELECT hour("date") AS hour, dayofweek("date") AS day_of_week, distance, origin, destination
           FROM read_parquet('${FLIGHTS}'), range(${Math.ceil(ROWS / 3_000_000) + 1}) LIMIT ${ROWS})
     TO '${file}' (FORMAT parquet)`,
  );
  connection.closeSync();
  instance.closeSync();
}

/** Every part downloaded and counted by DuckDB: rows, distinct prediction ids and row numbers. */
async function countOutputRows(bench: typeof platform, result: BatchScoringResult): Promise<number> {
  const folder = path.join(DATA, 'output');
  await mkdir(folder, { recursive: true });
  const files: string[] = [];
  for (const [index, part] of result.parts.entries()) {
    const file = path.join(folder, `part-${index}.parquet`);
    await writeFile(file, await bench.store.getBuffer(bench.store.keyOf(part.uri), 4 * 1024 ** 3));
    files.push(file);
  }
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const reader = await connection.runAndReadAll(
    `SELECT count(*) AS total, count(DISTINCT prediction_id) AS ids, count(DISTINCT row_number) AS numbers
     FROM read_parquet([${files.map((file) => `'${file}'`).join(', ')}])`,
  );
  const [{ total, ids, numbers }] = reader.getRowObjectsJson() as {
    total: string;
    ids: string;
    numbers: string;
  }[];
  connection.closeSync();
  instance.closeSync();
  await rm(folder, { recursive: true, force: true });
  if (Number(ids) !== Number(total) || Number(numbers) !== Number(total))
    throw new Error(
      `the output has ${total} rows but ${ids} distinct prediction ids and ${numbers} row numbers`,
    );
  return Number(total);
}
