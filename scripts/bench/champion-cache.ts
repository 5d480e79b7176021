// What caching the champion's score saves: the flights pipeline at 1M source rows run three times
// on the same data, each with other training params (so training runs, and data stages are cache
// hits). Run 1 registers the champion; run 2 scores it on the test part; run 3 finds that score by
// (model file hash, dataset and split hashes). Prints each run's gate/champion stage time.
//   node --import tsx scripts/bench/champion-cache.ts [-- --rows=1000000]
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { startPipeline } from '../../client/pipeline.js';
import { parseSpec } from '../../spec/parse.js';
import { startBenchPlatform } from './bench-platform.js';
import { printTable } from './table.js';

const rows = Number(process.argv.find((argument) => argument.startsWith('--rows='))?.slice(7) ?? 1_000_000);
const { config, client, stageRuns, stop } = await startBenchPlatform('champion');
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
    const stages = await stageRuns(started.workflowId);
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
  await stop();
}
