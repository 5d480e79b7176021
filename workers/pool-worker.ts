import type { DataConverter } from '@temporalio/common';
import { type NativeConnection, Worker } from '@temporalio/worker';
import { createCpuActivities, createGpuActivities, type ActivityDependencies } from '../activities/index.js';
import type { Logger } from '../config/logger.js';
import { GpuDeviceAllocator } from './gpu-devices.js';
import type { PoolName } from './identity.js';
import {
  attemptLoggingInterceptor,
  gpuDeviceInterceptor,
  knownErrorsInterceptor,
  type ActivityFailureCounts,
} from './interceptors.js';
import { workflowSourceOptions } from './workflow-source.js';

export interface PoolWorkerOptions {
  /** `scratch`: the CPU worker's second Worker on its own task queue (workers/scratch.ts). */
  readonly pool: PoolName | 'scratch';
  readonly connection: NativeConnection;
  /** The platform's payload codec and failure converter (codec/data-converter.ts), shared by a process's workers. */
  readonly dataConverter: DataConverter;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly deps: ActivityDependencies;
  readonly log: Logger;
  readonly shutdownGraceMs: number;
  /** CPU pool: concurrent activities. */
  readonly cpuActivitySlots?: number;
  /** GPU pool: one activity slot per device. */
  readonly gpuDevices?: readonly number[];
  /** CPU pool: a prebuilt workflow bundle; unset bundles from source. */
  readonly workflowBundlePath?: string;
  /** Where failed activity attempts are counted by type (shared by a process's workers). */
  readonly failures?: ActivityFailureCounts;
}

/** One Worker of a pool: the CPU pool runs workflows and CPU activities, the GPU pool GPU activities only. */
export async function createPoolWorker(options: PoolWorkerOptions): Promise<Worker> {
  const common = {
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    identity: options.deps.workerIdentity,
    dataConverter: options.dataConverter,
    // Running activities get this long to finish on shutdown, then are cancelled through heartbeats.
    shutdownGraceTime: options.shutdownGraceMs,
    // Heartbeats carry training's checkpoint reference: send them within 5 s, not the default 80%
    // of the heartbeat timeout, so a worker that dies loses at most a few seconds of progress.
    maxHeartbeatThrottleInterval: '5 seconds',
  };
  if (options.pool === 'gpu') {
    const devices = options.gpuDevices ?? [];
    if (devices.length === 0)
      throw new Error('the GPU pool needs at least one GPU (nvidia-smi found none; set MLOPS_GPUS)');
    return Worker.create({
      ...common,
      activities: createGpuActivities(options.deps),
      maxConcurrentActivityTaskExecutions: devices.length,
      interceptors: {
        activity: [
          attemptLoggingInterceptor(options.log, options.failures),
          knownErrorsInterceptor(),
          gpuDeviceInterceptor(new GpuDeviceAllocator(devices)),
        ],
      },
    });
  }
  const cpuActivityOptions = {
    ...common,
    activities: createCpuActivities(options.deps),
    maxConcurrentActivityTaskExecutions: options.cpuActivitySlots ?? 4,
    // Outermost first: the attempt log sees the failure that knownErrorsInterceptor makes.
    interceptors: {
      activity: [attemptLoggingInterceptor(options.log, options.failures), knownErrorsInterceptor()],
    },
  };
  if (options.pool === 'scratch') return Worker.create(cpuActivityOptions);
  return Worker.create({
    ...cpuActivityOptions,
    ...workflowSourceOptions(options.workflowBundlePath),
    // Workflows here are long-lived but light; 500 cached executions is ~tens of MB.
    maxCachedWorkflows: 500,
  });
}
