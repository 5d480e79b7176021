import { Context } from '@temporalio/activity';
import type { NativeConnection, Worker } from '@temporalio/worker';
import type { ActivityDependencies } from '../activities/dependencies.js';
import { platformDataConverter } from '../codec/data-converter.js';
import type { Config } from '../config/index.js';
import { interruptQueriesOn } from '../data/index.js';
import { temporalConnectionOptions, type Connections } from '../config/connections.js';
import type { Logger } from '../config/logger.js';
import { connectDatabase, type DatabaseHandle } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { ArtifactStore } from '../storage/artifact-store.js';
import { resolveCodeVersion } from './code-version.js';
import { makeCurrentOncePolling, workerDeploymentVersion } from './deployment.js';
import { currentGpuDevice, detectGpuDevices } from './gpu-devices.js';
import { sampleGpuEnergy } from './gpu-power.js';
import { workerIdentity, type PoolName } from './identity.js';
import { createPoolWorker } from './pool-worker.js';
import { installTemporalRuntime } from './runtime.js';
import { connectToTemporal } from './temporal-connection.js';
import type { ScratchSpace } from '../activities/dependencies.js';
import { prepareScratchSpace, removeScratchSpace } from './scratch.js';

export interface RunningPools {
  readonly identities: Partial<Record<PoolName, string>>;
  /** The Prometheus endpoint of this process's workers (MLOPS_WORKER_METRICS_ADDRESS), if any. */
  readonly metricsUrl: string | undefined;
  readonly gpuDevices: readonly number[];
  readonly taskQueues: { readonly cpu: string; readonly gpu: string };
  /** The Worker Deployment version the workers poll as (`<deployment>.<build id>`); undefined: unversioned. */
  readonly deploymentVersion: string | undefined;
  /** Settles when every worker has stopped (after `shutdown`, or when one fails). */
  readonly finished: Promise<void>;
  /** Stops polling, lets running activities finish within the grace time, then closes connections. */
  shutdown(): Promise<void>;
}

/**
 * Starts the requested pools in this process against the given services. The GPU pool is left out
 * (with a log line) when no GPU is found, unless it is the only pool asked for, which is an error.
 * A CPU pool worker also polls a task queue of its own, for stages that must run where their data
 * was staged (workers/scratch.ts).
 */
export async function startWorkerPools(options: {
  config: Config;
  connections: Connections;
  pools: readonly PoolName[];
  log: Logger;
}): Promise<RunningPools> {
  const { config, connections, log } = options;
  installTemporalRuntime(log, { metricsAddress: config.telemetry.workerMetricsAddress });
  if (config.telemetry.workerMetricsAddress) {
    log.info(
      { metricsUrl: `http://${config.telemetry.workerMetricsAddress}/metrics` },
      `worker metrics (Prometheus) at http://${config.telemetry.workerMetricsAddress}/metrics`,
    );
  }
  // Loaded only when tracing: the commands start it (cli/shared.ts) before the pools.
  const tracing = config.telemetry.tracing
    ? (await import('../config/tracing.js')).activeTracing()
    : undefined;
  interruptQueriesOn(runningActivitySignal);
  // Keys first: without them in production nothing starts (no database, S3 or Temporal connection).
  const dataConverter = platformDataConverter(config, connections);
  const gpuDevices = options.pools.includes('gpu') ? await detectGpuDevices(config.gpus) : [];
  const pools = options.pools.filter((pool) => pool !== 'gpu' || gpuDevices.length > 0);
  if (pools.length === 0) {
    throw new Error(
      'no GPU found for the GPU pool: nvidia-smi lists none; set MLOPS_GPUS=<count> to run it anyway',
    );
  }
  if (pools.length < options.pools.length)
    log.info('no GPU found (nvidia-smi, MLOPS_GPUS): the GPU pool is not started');

  const database: DatabaseHandle = connectDatabase(connections.databaseUrl, {
    applicationName: 'mlops-worker',
  });
  const artifacts = ArtifactStore.fromSettings(connections.s3);
  let connection: NativeConnection | undefined;
  let scratch: ScratchSpace | undefined;
  try {
    await migrateDatabase(database.db);
    await artifacts.ensureBucket();
    const nativeConnection = await connectToTemporal(
      temporalConnectionOptions(config, connections.temporal.address),
      log,
    );
    connection = nativeConnection;
    const codeVersion = resolveCodeVersion(config.codeVersion);
    const deploymentVersion = workerDeploymentVersion(config.workerDeployment, codeVersion);
    const sharedDeps = {
      db: database.db,
      artifacts,
      codeVersion,
      cpuWattsPerCore: config.cpuWattsPerCore,
      checkpointIntervalMs: config.checkpointIntervalMs,
      piiHmacKey: config.piiHmacKey,
      dataRoots: [process.cwd(), ...config.dataRoots],
      stateFolders: [config.home],
      sourcePolicy: {
        platformBucket: connections.s3.bucket,
        dataBuckets: config.dataBuckets,
        httpAllow: config.httpSourcesAllow,
      },
    };
    const workerOf = (pool: PoolName | 'scratch', taskQueue: string, identity: string) => {
      const poolLog = log.child({ pool, workerIdentity: identity });
      const deps: ActivityDependencies = {
        ...sharedDeps,
        log: poolLog,
        workerIdentity: identity,
        scratch,
        ...(pool === 'gpu'
          ? { gpu: { currentDevice: currentGpuDevice, sampleEnergy: sampleGpuEnergy } }
          : {}),
      };
      poolLog.info({ taskQueue, gpuDevices: pool === 'gpu' ? gpuDevices : undefined }, 'worker polling');
      return createPoolWorker({
        pool,
        connection: nativeConnection,
        dataConverter,
        namespace: connections.temporal.namespace,
        taskQueue,
        deps,
        log: poolLog,
        shutdownGraceMs: config.shutdownGraceMs,
        cpuActivitySlots: config.cpuActivitySlots,
        gpuDevices,
        workflowBundlePath: config.workflowBundlePath,
        tracing,
        deploymentVersion,
      });
    };
    const identities: Partial<Record<PoolName, string>> = {};
    const workers: Worker[] = [];
    for (const pool of pools) {
      const identity = workerIdentity(pool);
      identities[pool] = identity;
      if (pool === 'cpu') {
        scratch = await prepareScratchSpace(config.taskQueues.cpu, identity);
        workers.push(await workerOf('cpu', config.taskQueues.cpu, identity));
        workers.push(await workerOf('scratch', scratch.taskQueue, identity));
      } else workers.push(await workerOf(pool, config.taskQueues[pool], identity));
    }
    const stopAll = () => workers.forEach((worker) => worker.getState() === 'RUNNING' && worker.shutdown());
    const runs = workers.map((worker) => worker.run());
    const stopPromoting = new AbortController();
    if (deploymentVersion) {
      log.info(
        { deploymentName: deploymentVersion.deploymentName, buildId: deploymentVersion.buildId },
        `polling as worker deployment version ${deploymentVersion.deploymentName}.${deploymentVersion.buildId}`,
      );
    }
    // After run(): the server only accepts a current version it has seen poll.
    if (deploymentVersion && config.workerDeployment?.setCurrent) {
      void makeCurrentOncePolling({
        service: nativeConnection.workflowService,
        namespace: connections.temporal.namespace,
        version: deploymentVersion,
        identity: Object.values(identities)[0] ?? 'mlops-worker',
        log,
        signal: stopPromoting.signal,
      });
    }
    // One worker failing stops the others, so the process never runs half a pool.
    runs.forEach((run) => run.catch(stopAll));
    const finished = Promise.allSettled(runs).then(async (results) => {
      stopPromoting.abort();
      await nativeConnection.close();
      await database.close();
      artifacts.client.destroy();
      if (scratch) await removeScratchSpace(scratch);
      const failure = results.find((result) => result.status === 'rejected');
      if (failure) throw failure.reason;
    });
    return {
      identities,
      metricsUrl: config.telemetry.workerMetricsAddress
        ? `http://${config.telemetry.workerMetricsAddress}/metrics`
        : undefined,
      gpuDevices,
      taskQueues: config.taskQueues,
      deploymentVersion: deploymentVersion
        ? `${deploymentVersion.deploymentName}.${deploymentVersion.buildId}`
        : undefined,
      finished,
      shutdown: async () => {
        stopAll();
        await finished;
      },
    };
  } catch (error) {
    await connection?.close();
    await database.close();
    artifacts.client.destroy();
    if (scratch) await removeScratchSpace(scratch);
    throw error;
  }
}

/** The cancellation of the activity this call runs in, if any (DuckDB queries stop on it). */
function runningActivitySignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined; // not inside an activity
  }
}
