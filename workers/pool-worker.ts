import type { DataConverter, WorkerDeploymentVersion } from '@temporalio/common';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/worker/index.js';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions.js';
import {
  type ActivityInterceptorsFactory,
  type InjectedSinks,
  type NativeConnection,
  Worker,
} from '@temporalio/worker';
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
import type { Tracing } from '../config/tracing.js';
import { tracingWorkflowModules, workflowSourceOptions } from './workflow-source.js';

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
  /** This process's tracing (config/tracing.ts); unset: no spans. */
  readonly tracing?: Tracing;
  /** The Worker Deployment version to poll as (workers/deployment.ts); unset: unversioned. */
  readonly deploymentVersion?: WorkerDeploymentVersion;
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
    ...deploymentOptions(options),
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
          ...tracingInterceptors(options.tracing),
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
    // Outermost first: the attempt log sees the failure that knownErrorsInterceptor makes, and
    // writes its lines inside the attempt's span.
    interceptors: {
      activity: [
        ...tracingInterceptors(options.tracing),
        attemptLoggingInterceptor(options.log, options.failures),
        knownErrorsInterceptor(),
      ],
    },
  };
  if (options.pool === 'scratch') return Worker.create(cpuActivityOptions);
  const fromSource = !options.workflowBundlePath;
  return Worker.create({
    ...cpuActivityOptions,
    ...workflowSourceOptions(options.workflowBundlePath),
    interceptors: {
      ...cpuActivityOptions.interceptors,
      // A prebuilt bundle has them built in (workers/workflow-source.ts).
      ...(fromSource && options.tracing ? { workflowModules: tracingWorkflowModules() } : {}),
    },
    sinks: workflowSpanSinks(options.tracing),
    // Workflows here are long-lived but light; 500 cached executions is ~tens of MB.
    maxCachedWorkflows: 500,
  });
}

/**
 * Worker Versioning: every pool polls as the same version, so a pinned pipeline's activities go to
 * workers of its own build on every queue. Each workflow type declares its behavior
 * (workflows/versioning.ts); the default, for a run whose history began on unversioned workers, is
 * AUTO_UPGRADE: that run already relied on patched(), as every run did before versioning. The
 * scratch queue is left unversioned: it belongs to one process, which is already the right build,
 * and a version listing every process's scratch queue would make the server refuse a new current
 * version until the old ones fall idle.
 */
function deploymentOptions(options: PoolWorkerOptions) {
  const version = options.deploymentVersion;
  if (!version || options.pool === 'scratch') return {};
  return {
    workerDeploymentOptions: {
      useWorkerVersioning: true,
      version,
      defaultVersioningBehavior: 'AUTO_UPGRADE',
    },
  } as const;
}

/** The Temporal SDK's activity interceptors: a span per attempt, in the trace of the workflow that scheduled it. */
function tracingInterceptors(tracing: Tracing | undefined): ActivityInterceptorsFactory[] {
  if (!tracing) return [];
  return [
    (context) => ({
      inbound: new OpenTelemetryActivityInboundInterceptor(context),
      outbound: new OpenTelemetryActivityOutboundInterceptor(context),
    }),
  ];
}

/**
 * Where the workflow interceptors' spans leave the sandbox: the process's span processor, or
 * nowhere when this worker does not trace (a prebuilt bundle still makes them).
 */
function workflowSpanSinks(tracing: Tracing | undefined): InjectedSinks<OpenTelemetrySinks> {
  if (tracing) return { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) };
  return { exporter: { export: { fn: () => undefined } } };
}
