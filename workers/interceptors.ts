import type { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory } from '@temporalio/worker';
import { failureMessageOf, failureTypeOf, InputError } from '../contracts/errors.js';
import type { Logger } from '../config/logger.js';
import type { GpuDeviceAllocator } from './gpu-devices.js';

/** Failed activity attempts of a worker process, by error type: what the logs and metrics report. */
export class ActivityFailureCounts {
  private readonly counts = new Map<string, number>();

  /** Counts one more failure of `type`; returns how many of that type so far. */
  record(type: string): number {
    const count = (this.counts.get(type) ?? 0) + 1;
    this.counts.set(type, count);
    return count;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }
}

/**
 * Logs every activity attempt's start and end with workflow id, activity and attempt; a failed one
 * with its error type, counted in `failures`. It runs outside knownErrorsInterceptor, so it sees
 * the failure the workflow will see.
 */
export function attemptLoggingInterceptor(
  log: Logger,
  failures: ActivityFailureCounts = new ActivityFailureCounts(),
): ActivityInterceptorsFactory {
  return (context: Context) => {
    const inbound: ActivityInboundCallsInterceptor = {
      async execute(input, next) {
        const { info } = context;
        const attemptLog = log.child({
          workflowId: info.workflowExecution?.workflowId,
          activity: info.activityType,
          attempt: info.attempt,
          taskQueue: info.taskQueue,
        });
        const started = performance.now();
        const metrics = stageMetrics(context);
        attemptLog.debug('activity attempt started');
        try {
          const result = await next(input);
          const durationMs = performance.now() - started;
          metrics.duration.record(durationMs / 1000, { outcome: 'completed' });
          attemptLog.info({ durationMs: Math.round(durationMs) }, 'activity attempt completed');
          return result;
        } catch (error) {
          const errorType = failureTypeOf(error);
          metrics.duration.record((performance.now() - started) / 1000, { outcome: 'failed' });
          metrics.failures.add(1, { error_type: errorType });
          attemptLog.warn(
            {
              durationMs: Math.round(performance.now() - started),
              errorType,
              failuresOfType: failures.record(errorType),
              nonRetryable: error instanceof ApplicationFailure ? error.nonRetryable : false,
              error: failureMessageOf(error),
            },
            'activity attempt failed',
          );
          throw error;
        }
      },
    };
    return { inbound };
  };
}

/**
 * Every attempt's duration and every failure by error type, through the SDK's metric meter: they
 * reach the worker's Prometheus endpoint (MLOPS_WORKER_METRICS_ADDRESS) as
 * `mlops_stage_duration_seconds` and `mlops_stage_failures_total`, tagged with the activity type
 * and task queue by the SDK. Without an endpoint the meter records nowhere.
 */
function stageMetrics(context: Context) {
  const meter = context.metricMeter;
  return {
    duration: meter.createHistogram(
      'mlops_stage_duration',
      'float',
      'seconds',
      'Duration of activity (stage) attempts, by activity type and outcome.',
    ),
    failures: meter.createCounter(
      'mlops_stage_failures',
      '',
      'Failed activity (stage) attempts, by activity type and error type.',
    ),
  };
}

/**
 * Bad input raised anywhere below an activity (an InputError of data/ or ml/) becomes a
 * non-retryable ApplicationFailure of its type, here and only here (dust's cast_known_errors),
 * with quoted data values masked (failureMessageOf).
 */
export function knownErrorsInterceptor(): ActivityInterceptorsFactory {
  return () => ({
    inbound: {
      async execute(input, next) {
        try {
          return await next(input);
        } catch (error) {
          throw asFailure(error);
        }
      },
    },
  });
}

export function asFailure(error: unknown): unknown {
  if (!(error instanceof InputError)) return error;
  return ApplicationFailure.create({
    type: error.type,
    message: failureMessageOf(error),
    nonRetryable: true,
    details: [{ errorClass: error.name }],
  });
}

/** Runs each GPU-pool activity holding one device (see currentGpuDevice). */
export function gpuDeviceInterceptor(allocator: GpuDeviceAllocator): ActivityInterceptorsFactory {
  return () => ({
    inbound: {
      execute: (input, next) => allocator.runWithDevice(() => next(input)),
    },
  });
}
