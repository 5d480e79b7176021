import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { connectClient, type PlatformClient } from '../../client/connect.js';
import { startPipeline, type PipelineRun } from '../../client/pipeline.js';
import { decodePayloadValue } from '../../codec/data-converter.js';
import { loadConfig } from '../../config/index.js';
import { connectDatabase, type DatabaseHandle } from '../../db/client.js';
import type { PipelineSpec } from '../../spec/types.js';
import { waitUntil } from '../../stack/processes.js';
import { stackEnvironment, testConnections } from './platform.js';
import { spawnMlops, type SpawnedCommand } from './processes.js';

export interface WorkerProcesses {
  /** A task queue of this suite's own, so only its worker processes take its work. */
  readonly taskQueue: string;
  /** Set before the first test runs. */
  readonly client: PlatformClient;
  readonly database: DatabaseHandle;
  /** Starts `mlops worker --pool cpu` as a real process on the suite's task queue (`env` adds variables). */
  startWorker(env?: Record<string, string>): SpawnedCommand;
  /** Starts a pipeline on the suite's task queue, without the stage cache. */
  startPipeline(spec: PipelineSpec): Promise<PipelineRun>;
}

/**
 * The train stage's latest heartbeat details (decoded) once `accept` takes them: the moment a test
 * that kills a worker mid-training waits for (a checkpoint stored, enough progress made).
 */
export async function trainingHeartbeat<Beat>(
  run: PipelineRun,
  what: string,
  accept: (beat: Beat) => boolean,
): Promise<Beat> {
  return waitUntil(
    what,
    async () => {
      const description = await run.handle.describe();
      const training = description.raw.pendingActivities?.find(
        (activity) => activity.activityType?.name === 'trainStage',
      );
      const payload = training?.heartbeatDetails?.payloads?.[0];
      if (!payload) return undefined;
      const beat = await decodePayloadValue<Beat>(run.handle.client.options.loadedDataConverter, payload);
      return accept(beat) ? beat : undefined;
    },
    { timeoutMs: 180_000, intervalMs: 200 },
  );
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
    startPipeline(spec) {
      return startPipeline(this.client.temporal, spec, {
        taskQueues: { cpu: taskQueue, gpu: taskQueue },
        noCache: true,
        trigger: 'test',
      });
    },
    startWorker(extraEnv = {}) {
      const worker = spawnMlops(['worker', '--pool', 'cpu'], { ...workerEnv, ...extraEnv });
      workers.push(worker);
      return worker;
    },
  };
}
