import type { Context } from '@temporalio/activity';
import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory } from '@temporalio/worker';
import type { Logger } from '../config/logger.js';
import type { GpuDeviceAllocator } from './gpu-devices.js';

/** Logs every activity attempt's start and end with workflow id, activity and attempt (and failures by type). */
export function attemptLoggingInterceptor(log: Logger): ActivityInterceptorsFactory {
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
        attemptLog.debug('activity attempt started');
        try {
          const result = await next(input);
          attemptLog.info(
            { durationMs: Math.round(performance.now() - started) },
            'activity attempt completed',
          );
          return result;
        } catch (error) {
          const failure = error as { type?: string; name?: string; message?: string };
          attemptLog.warn(
            {
              durationMs: Math.round(performance.now() - started),
              errorType: failure.type ?? failure.name,
              error: failure.message,
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

/** Runs each GPU-pool activity holding one device (see currentGpuDevice). */
export function gpuDeviceInterceptor(allocator: GpuDeviceAllocator): ActivityInterceptorsFactory {
  return () => ({
    inbound: {
      execute: (input, next) => allocator.runWithDevice(() => next(input)),
    },
  });
}
