import { randomUUID } from 'node:crypto';
import { connectClient } from '../../client/connect.js';
import { loadConfig } from '../../config/index.js';
import { createLogger } from '../../config/logger.js';
import { connectDatabase } from '../../db/client.js';
import { findPipelineRun, listStageRuns } from '../../db/queries/runs.js';
import { ensureStack } from '../../stack/launcher.js';
import { ArtifactStore } from '../../storage/artifact-store.js';
import { startWorkerPools } from '../../workers/pools.js';

/**
 * An embedded stack under `.mlops/bench-<name>` (or MLOPS_HOME) with CPU worker pools in this
 * process on a queue of their own, a client, the database and the artifact store: what a
 * benchmark that runs whole pipelines needs. `stop` releases all of it.
 */
export async function startBenchPlatform(name: string) {
  const config = loadConfig({
    ...process.env,
    MLOPS_HOME: process.env.MLOPS_HOME ?? `.mlops/bench-${name}`,
    MLOPS_LOG_LEVEL: 'warn',
    MLOPS_GPUS: 'none',
    MLOPS_CPU_TASK_QUEUE: `bench-${name}-${randomUUID().slice(0, 8)}`,
  });
  const stack = await ensureStack(config);
  const store = ArtifactStore.fromSettings(stack.connections.s3);
  const database = connectDatabase(stack.connections.databaseUrl);
  const pools = await startWorkerPools({
    config,
    connections: stack.connections,
    pools: ['cpu'],
    log: createLogger('warn'),
  });
  const client = await connectClient(config, stack.connections);
  return {
    config,
    stack,
    store,
    database,
    client,
    /** The stage runs of the pipeline run with this workflow id. */
    stageRuns: async (workflowId: string) =>
      listStageRuns(database.db, (await findPipelineRun(database.db, { workflowId }))!.id),
    stop: async () => {
      await client.close();
      await pools.shutdown();
      await database.close();
      store.client.destroy();
      await stack.stop();
    },
  };
}
