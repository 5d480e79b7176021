// What caching the champion's score saves: the flights pipeline at 1M source rows run three times
// on the same data, each with other training params (so training runs, and data stages are cache
// hits). Run 1 registers the champion; run 2 scores it on the test part; run 3 finds that score by
// (model file hash, dataset and split hashes). Prints each run's gate/champion stage time.
//   node --import tsx scripts/bench/champion-cache.ts [-- --rows=1000000]
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { connectClient } from '../../client/connect.js';
import { startPipeline } from '../../client/pipeline.js';
import { loadConfig } from '../../config/index.js';
import { createLogger } from '../../config/logger.js';
import { connectDatabase } from '../../db/client.js';
import { findPipelineRun, listStageRuns } from '../../db/queries/runs.js';
import { parseSpec } from '../../spec/parse.js';
import { ensureStack } from '../../stack/launcher.js';
import { startWorkerPools } from '../../workers/pools.js';
import { printTable } from './table.js';

const rows = Number(process.argv.find((argument) => argument.startsWith('--rows='))?.slice(7) ?? 1_000_000);
const config = loadConfig({
  ...process.env,
  MLOPS_HOME: process.env.MLOPS_HOME ?? '.mlops/bench-champion',
  MLOPS_LOG_LEVEL: 'warn',
  MLOPS_GPUS: 'none',
  MLOPS_CPU_TASK_QUEUE: `bench-champion-${randomUUID().slice(0, 8)}`,
});
const stack = await ensureStack(config);
const database = connectDatabase(stack.connections.databaseUrl);
const pools = await startWorkerPools({
  config,
  connections: stack.connections,
  pools: ['cpu'],
  log: createLogger('warn'),
});
const client = await connectClient(config, stack.connections);
const example = parse(readFileSync('examples/flights.yaml', 'utf8')) as Record<
  string,
  { query?: string } & Record<string, unknown>
>;
const name = `bench-champion-${randomUUID().slice(0, 8)}`;
try {
  const table: string[][] = [];
  for (const [run, nEstimators] of [
    [1, 20],
    [2, 21],
    [3, 22],
  ]) {
    const spec = parseSpec({
      ...example,
      name,
      dataset: {
        ...example.dataset,
        query: String(example.dataset.query).replace(
          'from data',
          `from (select * from data using sample reservoir(${rows} rows) repeatable (7))`,
        ),
      },
      train: { ...example.train, params: { ...(example.train.params as object), nEstimators } },
      // Only run 1's version is promoted: v1 stays the champion that runs 2 and 3 are judged against.
      deploy: { promote: run === 1 },
    });
    const started = await startPipeline(client.temporal, spec, {
      taskQueues: config.taskQueues,
      noCache: false,
      trigger: 'benchmark',
    });
    const result = await started.result();
    if (result.status === 'failed') throw new Error(`run ${run} failed: ${result.error?.message}`);
    const stages = await listStageRuns(
      database.db,
      (await findPipelineRun(database.db, { workflowId: started.workflowId }))!.id,
    );
    const champion = stages.find((stage) => stage.stage === 'gate/champion');
    table.push([
      String(run),
      champion ? ((champion.durationMs ?? 0) / 1000).toFixed(2) : 'no champion yet',
      champion ? String(champion.cacheHit) : '',
      stages
        .filter((stage) => stage.cacheHit)
        .map((stage) => stage.stage)
        .join(' '),
    ]);
  }
  printTable(
    `Champion scoring, flights ${rows.toLocaleString()} source rows`,
    ['run', 'gate/champion s', 'cached', 'cache hits'],
    table,
  );
} finally {
  await client.close();
  await pools.shutdown();
  await database.close();
  await stack.stop();
}
