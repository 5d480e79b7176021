// Embedded stack start to ready (Temporal dev server + UI, PostgreSQL, S3 all probed), median of 5:
// cold (a new MLOPS_HOME: initdb, empty SQLite) and warm (the same home again).
//   npm run bench:stack
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../../config/index.js';
import { ensureStack } from '../../stack/launcher.js';
import { median, printTable } from './table.js';

const RUNS = 5;
const root = await mkdtemp(path.join(path.resolve('.mlops'), 'bench-stack-'));

async function timeStart(home: string): Promise<number> {
  const started = performance.now();
  const stack = await ensureStack(loadConfig({ PATH: process.env.PATH, MLOPS_HOME: home }));
  const elapsed = performance.now() - started;
  await stack.stop();
  return elapsed;
}

const cold: number[] = [];
const warm: number[] = [];
try {
  for (let run = 0; run < RUNS; run += 1) cold.push(await timeStart(path.join(root, `cold-${run}`)));
  for (let run = 0; run < RUNS; run += 1) warm.push(await timeStart(path.join(root, 'cold-0')));
} finally {
  await rm(root, { recursive: true, force: true });
}
printTable(
  `Embedded stack: start to ready, ${RUNS} runs (ms)`,
  ['start', 'median', 'min', 'max'],
  [
    ['cold (new home)', median(cold).toFixed(0), Math.min(...cold).toFixed(0), Math.max(...cold).toFixed(0)],
    [
      'warm (existing home)',
      median(warm).toFixed(0),
      Math.min(...warm).toFixed(0),
      Math.max(...warm).toFixed(0),
    ],
  ],
);
