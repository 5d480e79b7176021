// Orchestration overhead per stage on the embedded stack: a workflow of 20 sequential no-op
// activities, end-to-end time / 20, median of 10 runs; the same with local activities.
//   npm run bench:orchestration
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { connectClient } from '../../client/connect.js';
import { platformDataConverter } from '../../codec/data-converter.js';
import { loadConfig } from '../../config/index.js';
import { createLogger } from '../../config/logger.js';
import { installTemporalRuntime } from '../../workers/runtime.js';
import { bundlerOptions } from '../../workers/workflow-source.js';
import { ensureStack } from '../../stack/launcher.js';
import * as activities from './orchestration/activities.js';
import { sequentialNoopWorkflow } from './orchestration/workflows.js';
import { median, printTable } from './table.js';

const STAGES = 20;
const RUNS = 10;

const config = loadConfig({ ...process.env, MLOPS_LOG_LEVEL: 'warn' });
installTemporalRuntime(createLogger('warn'));
const stack = await ensureStack(config);
const taskQueue = `bench-orchestration-${randomUUID().slice(0, 8)}`;
const connection = await NativeConnection.connect({ address: stack.connections.temporal.address });
const worker = await Worker.create({
  connection,
  // What production pays too: every payload encrypted, errors encoded.
  dataConverter: platformDataConverter(config, stack.connections),
  namespace: stack.connections.temporal.namespace,
  taskQueue,
  workflowsPath: fileURLToPath(new URL('./orchestration/workflows.ts', import.meta.url)),
  bundlerOptions,
  activities,
  // BENCH_EAGER=0 measures without eager activity dispatch, for comparison.
  ...(process.env.BENCH_EAGER === '0' ? { maxEagerActivityReservationsPerWorkflowTask: 0 } : {}),
  // BENCH_WORKER_OPTIONS='{"maxCachedWorkflows":0}' tries other worker settings.
  ...(JSON.parse(process.env.BENCH_WORKER_OPTIONS ?? '{}') as object),
});
const client = await connectClient(config, stack.connections);
const rows: (string | number)[][] = [];
await worker.runUntil(async () => {
  for (const local of [false, true]) {
    const perStage: number[] = [];
    // One warm-up run: the first workflow task also loads the bundle into a fresh isolate.
    for (let run = -1; run < RUNS; run += 1) {
      const started = performance.now();
      await client.temporal.workflow.execute(sequentialNoopWorkflow, {
        taskQueue,
        workflowId: `bench-${randomUUID()}`,
        args: [{ stages: STAGES, local }],
      });
      if (run >= 0) perStage.push((performance.now() - started) / STAGES);
    }
    rows.push([
      local ? 'local activities' : 'activities',
      median(perStage).toFixed(2),
      Math.min(...perStage).toFixed(2),
      Math.max(...perStage).toFixed(2),
    ]);
  }
});
await client.close();
await connection.close();
await stack.stop();
printTable(
  `Orchestration overhead: ${STAGES} sequential no-op stages, ${RUNS} runs (ms per stage)`,
  ['kind', 'median', 'min', 'max'],
  rows,
);
