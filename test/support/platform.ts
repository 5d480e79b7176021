import { randomUUID } from 'node:crypto';
import type { ActivityDependencies } from '../../activities/dependencies.js';
import { afterAll, beforeAll, inject } from 'vitest';
import { connectClient, type PlatformClient } from '../../client/connect.js';
import { loadConfig, type Config } from '../../config/index.js';
import type { Connections } from '../../config/connections.js';
import { createLogger } from '../../config/logger.js';
import { connectDatabase, type Database, type DatabaseHandle } from '../../db/client.js';
import { ArtifactStore } from '../../storage/artifact-store.js';
import type { PoolName } from '../../workers/identity.js';
import { startWorkerPools, type RunningPools } from '../../workers/pools.js';
import { connectionVariables } from '../../stack/env-file.js';

/** The shared test stack's endpoints (started once per run by test/global-setup.ts). */
export function testConnections(): Connections {
  return inject('connections');
}

/** The environment a process needs to use the shared test stack as "configured services". */
export function stackEnvironment(connections = testConnections()): NodeJS.ProcessEnv {
  return connectionVariables(connections);
}

/** A configuration pointing at the test stack with task queues of this test's own. */
export function testConfig(overrides: NodeJS.ProcessEnv = {}): Config {
  const suffix = randomUUID().slice(0, 8);
  return loadConfig({
    PATH: process.env.PATH,
    ...stackEnvironment(),
    MLOPS_CPU_TASK_QUEUE: `test-cpu-${suffix}`,
    MLOPS_GPU_TASK_QUEUE: `test-gpu-${suffix}`,
    MLOPS_LOG_LEVEL: process.env.MLOPS_TEST_LOG_LEVEL ?? 'warn',
    MLOPS_SHUTDOWN_GRACE: '10s',
    ...overrides,
  });
}

/** A Temporal client on the test stack for the tests of one file: connected before them, closed after. */
export function testClientForFile(): () => PlatformClient {
  let client: PlatformClient | undefined;
  beforeAll(async () => {
    client = await connectClient(testConfig(), testConnections());
  });
  afterAll(async () => {
    await client?.close();
  });
  return () => {
    if (!client) throw new Error('the test client connects in beforeAll');
    return client;
  };
}

export interface TestPlatform {
  readonly config: Config;
  readonly pools: RunningPools;
  readonly client: PlatformClient;
  readonly database: DatabaseHandle;
  stop(): Promise<void>;
}

/** Worker pools in this process on fresh task queues, a Temporal client and a database handle. */
export async function startTestPlatform(
  options: { pools?: PoolName[]; env?: NodeJS.ProcessEnv; logLines?: string[] } = {},
): Promise<TestPlatform> {
  const config = testConfig(options.env);
  const connections = testConnections();
  const captured = options.logLines;
  // With `logLines`, every log line of the pools (debug and up) is kept for the test to read.
  const log = captured
    ? createLogger('debug', { test: true }, { write: (line) => void captured.push(line) })
    : createLogger(config.logLevel, { test: true });
  const pools = await startWorkerPools({ config, connections, pools: options.pools ?? ['cpu'], log });
  const client = await connectClient(config, connections);
  const database = connectDatabase(connections.databaseUrl, { maxConnections: 4 });
  return {
    config,
    pools,
    client,
    database,
    stop: async () => {
      await client.close();
      await pools.shutdown();
      await database.close();
    },
  };
}

export function testArtifactStore(): ArtifactStore {
  return ArtifactStore.fromSettings(testConnections().s3);
}

/** What an activity gets on a worker, for running one directly (MockActivityEnvironment). */
export function testActivityDependencies(platform: TestPlatform, store: ArtifactStore): ActivityDependencies {
  return activityDependenciesOn(platform.database.db, store);
}

/** The same, on a database handle of the test's own (no worker pools needed). */
export function activityDependenciesOn(db: Database, store: ArtifactStore): ActivityDependencies {
  return {
    db,
    artifacts: store,
    log: createLogger('warn'),
    workerIdentity: 'test',
    codeVersion: 'test',
    cpuWattsPerCore: 12,
    checkpointIntervalMs: 30_000,
    dataRoots: [],
    stateFolders: [],
    sourcePolicy: { platformBucket: store.bucket, dataBuckets: [], httpAllow: [] },
  };
}
