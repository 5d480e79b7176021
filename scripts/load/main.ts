/**
 * `npm run test:load [-- --short]`: the load suite on a stack of its own under `.mlops/load`, with
 * two worker processes as a deployment would run them. First 200 small pipelines submitted at once
 * (`--short`: 20), then serving at 70% of its measured capacity for 5 minutes (`--short`: 1) with a
 * canary and the monitor on. Prints both tables; exit 1 when a pipeline failed or serving lost a
 * prediction log or answered a 5xx.
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { connectClient } from '../../client/connect.js';
import { loadConfig } from '../../config/index.js';
import { connectDatabase } from '../../db/client.js';
import { migrateDatabase } from '../../db/migrate.js';
import { connectionVariables } from '../../stack/env-file.js';
import { ensureStack } from '../../stack/launcher.js';
import { spawnWorker, type WorkerProcess } from '../support/worker-process.js';
import { formatPipelineLoad, runPipelineLoad } from './pipelines.js';
import { formatServingLoad, runServingLoad, servingLoadHeld, type ServingLoadPlan } from './serving.js';

const short = process.argv.includes('--short');
const pipelines = short ? 20 : 200;
const plan: ServingLoadPlan = short
  ? {
      capacitySeconds: 10,
      loadSeconds: 60,
      fraction: 0.7,
      rowsPerRequest: 32,
      sampleEverySeconds: 5,
      crashAfterSeconds: 10,
    }
  : {
      capacitySeconds: 20,
      loadSeconds: 300,
      fraction: 0.7,
      rowsPerRequest: 32,
      sampleEverySeconds: 15,
      crashAfterSeconds: 30,
    };
const log = (line: string) => process.stderr.write(`load: ${line}\n`);

const home = path.resolve(process.env.MLOPS_HOME ?? '.mlops/load');
const config = loadConfig({ ...process.env, MLOPS_HOME: home, MLOPS_LOG_LEVEL: 'warn', MLOPS_GPUS: 'none' });
const stack = await ensureStack(config, log);
const database = connectDatabase(stack.connections.databaseUrl, { maxConnections: 4 });
const client = await connectClient(config, stack.connections);
const taskQueue = `load-${randomUUID().slice(0, 8)}`;
const workers: WorkerProcess[] = [];
let held = false;
try {
  await migrateDatabase(database.db);
  const env = {
    ...connectionVariables(stack.connections),
    MLOPS_CPU_TASK_QUEUE: taskQueue,
    MLOPS_GPUS: 'none',
  };
  for (let index = 0; index < 2; index += 1) workers.push(spawnWorker(env, home, 'load-workers.log'));
  const pipelineReport = await runPipelineLoad({
    temporal: client.temporal,
    db: database.db,
    taskQueue,
    pipelines,
    log,
  });
  process.stdout.write(`${formatPipelineLoad(pipelineReport)}\n\n`);
  const servingReport = await runServingLoad({
    temporal: client.temporal,
    database,
    connections: stack.connections,
    taskQueue,
    plan,
    log,
  });
  process.stdout.write(`${formatServingLoad(servingReport, plan)}\n`);
  held = pipelineReport.failures.length === 0 && servingLoadHeld(servingReport);
} finally {
  for (const worker of workers) worker.child.kill('SIGTERM');
  await Promise.all(workers.map((worker) => worker.exited));
  await client.close();
  await database.close();
  await stack.stop();
}
process.exit(held ? 0 : 1);
