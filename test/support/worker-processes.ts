import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { connectClient, type PlatformClient } from '../../client/connect.js';
import { loadConfig } from '../../config/index.js';
import { connectDatabase, type DatabaseHandle } from '../../db/client.js';
import { stackEnvironment, testConnections } from './platform.js';
import { spawnMlops, type SpawnedCommand } from './processes.js';

export interface WorkerProcesses {
  /** A task queue of this suite's own, so only its worker processes take its work. */
  readonly taskQueue: string;
  /** Set before the first test runs. */
  readonly client: PlatformClient;
  readonly database: DatabaseHandle;
  /** Starts `mlops worker --pool cpu` as a real process on the suite's task queue. */
  startWorker(): SpawnedCommand;
}

/**
 * Real worker processes for tests that kill or stop them: registers the hooks that connect a
 * client and the database before the suite and kill any worker still running after it.
 */
export function useWorkerProcesses(name: string, env: Record<string, string>): WorkerProcesses {
  const taskQueue = `test-${name}-${randomUUID().slice(0, 8)}`;
  const workerEnv = { ...stackEnvironment(), MLOPS_CPU_TASK_QUEUE: taskQueue, MLOPS_GPUS: 'none', ...env };
  const workers: SpawnedCommand[] = [];
  let client: PlatformClient | undefined;
  let database: DatabaseHandle | undefined;

  beforeAll(async () => {
    client = await connectClient(loadConfig({}), testConnections());
    database = connectDatabase(testConnections().databaseUrl, { maxConnections: 2 });
  });

  afterAll(async () => {
    for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await client?.close();
    await database?.close();
  });

  return {
    taskQueue,
    get client() {
      if (!client) throw new Error('the client connects before the first test');
      return client;
    },
    get database() {
      if (!database) throw new Error('the database connects before the first test');
      return database;
    },
    startWorker() {
      const worker = spawnMlops(['worker', '--pool', 'cpu'], workerEnv);
      workers.push(worker);
      return worker;
    },
  };
}
