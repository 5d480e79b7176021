// The flights pipeline end to end at 1M and 3M rows on the embedded stack, with a separate worker
// process: time per stage, total, the worker's peak RSS, and orchestration overhead (total minus
// the time spent inside activities). Goals: overhead under 1% of the total, peak RSS at most 1 GB
// at 3M rows, ingest at least 1M rows/s from Parquet.
//   npm run bench:pipeline [-- --rows=1000000,3000000]
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { connectClient } from '../../client/connect.js';
import { startPipeline } from '../../client/pipeline.js';
import { loadConfig } from '../../config/index.js';
import { connectDatabase } from '../../db/client.js';
import { migrateDatabase } from '../../db/migrate.js';
import { findPipelineRun, listStageRuns } from '../../db/queries/runs.js';
import { parseSpec } from '../../spec/parse.js';
import { connectionVariables } from '../../stack/env-file.js';
import { ensureStack } from '../../stack/launcher.js';
import { printTable } from './table.js';

const sizes = (process.argv.find((argument) => argument.startsWith('--rows='))?.slice(7) ?? '1000000,3000000')
  .split(',')
  .map(Number);
const config = loadConfig({ ...process.env, MLOPS_LOG_LEVEL: 'warn' });
const stack = await ensureStack(config);
const taskQueue = `bench-pipeline-${randomUUID().slice(0, 8)}`;
const connections = stack.connections;
const workerEnv = {
  ...process.env,
  ...connectionVariables(connections),
  MLOPS_CPU_TASK_QUEUE: taskQueue,
  MLOPS_GPUS: 'none',
  MLOPS_LOG_LEVEL: 'warn',
};
const client = await connectClient(config, connections);
const database = connectDatabase(connections.databaseUrl);
await migrateDatabase(database.db);
const example = parse(readFileSync('examples/flights.yaml', 'utf8')) as Record<
  string,
  { query?: string } & Record<string, unknown>
>;

for (const rows of sizes) {
  // A fresh worker process per size, so its peak RSS is this pipeline's.
  const worker = spawn(process.execPath, ['cli/mlops.mjs', 'worker', '--pool', 'cpu'], {
    env: workerEnv,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const spec = parseSpec({
    ...example,
    name: `bench-flights-${rows}`,
    // A sample, not a limit: the file is in date order and the split's cutoffs need every month.
    dataset: {
      ...example.dataset,
      query: String(example.dataset.query).replace(
        'from data',
        `from (select * from data using sample reservoir(${rows} rows) repeatable (7))`,
      ),
    },
  });
  // The clock starts once the worker polls: its start-up is not the pipeline's orchestration.
  await untilPolling(worker.pid ?? 0);
  const started = performance.now();
  const run = await startPipeline(client.temporal, spec, {
    taskQueues: { cpu: taskQueue, gpu: taskQueue },
    noCache: true,
    trigger: 'benchmark',
  });
  const result = await run.result();
  const total = performance.now() - started;
  const peakRss = peakRssOf(worker.pid ?? 0);
  worker.kill('SIGTERM');
  await new Promise((resolve) => worker.once('exit', resolve));
  if (result.status === 'failed') throw new Error(`the ${rows}-row run failed: ${result.error?.message}`);

  const pipelineRun = await findPipelineRun(database.db, { workflowId: run.workflowId });
  if (!pipelineRun) throw new Error(`no pipeline run recorded for ${run.workflowId}`);
  const stages = await listStageRuns(database.db, pipelineRun.id);
  const insideActivities = stages.reduce((sum, stage) => sum + (stage.durationMs ?? 0), 0);
  const ingest = stages.find((stage) => stage.stage === 'ingest');
  const datasetRows =
    (stages.find((stage) => stage.stage === 'deidentify')?.outputs as { dataset?: { rows: number } } | null)
      ?.dataset?.rows ?? 0;
  printTable(
    `Flights pipeline, ${rows.toLocaleString()} source rows (${datasetRows.toLocaleString()} after the query), ${result.status}, AUC ${result.metrics.auc?.toFixed(4)}`,
    ['stage', 'seconds', 'cpu s', 'energy J'],
    [
      ...stages.map((stage) => [
        stage.stage,
        ((stage.durationMs ?? 0) / 1000).toFixed(2),
        ((stage.cpuMs ?? 0) / 1000).toFixed(1),
        (stage.energyJoules ?? 0).toFixed(0),
      ]),
      ['total (client view)', (total / 1000).toFixed(2), '', ''],
      [
        'orchestration overhead',
        `${((total - insideActivities) / 1000).toFixed(2)} (${(((total - insideActivities) / total) * 100).toFixed(2)}%)`,
        '',
        '',
      ],
      [
        'ingest rate',
        `${ingest?.durationMs ? Math.round(rows / (ingest.durationMs / 1000)).toLocaleString() : '-'} rows/s`,
        '',
        '',
      ],
      ['worker peak RSS', `${(peakRss / 1024 ** 2).toFixed(0)} MiB`, '', ''],
    ],
  );
}
await client.close();
await database.close();
await stack.stop();

/** Waits until the worker with this pid polls the task queue for workflow tasks. */
async function untilPolling(pid: number): Promise<void> {
  for (;;) {
    const { pollers } = await client.temporal.workflowService.describeTaskQueue({
      namespace: connections.temporal.namespace,
      taskQueue: { name: taskQueue },
    });
    if (pollers?.some((poller) => poller.identity?.endsWith(`/${pid}`))) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** VmHWM: the process's peak resident memory so far. */
function peakRssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}
