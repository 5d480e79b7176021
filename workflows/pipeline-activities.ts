import type { Duration } from '@temporalio/common';
import { proxyActivities } from '@temporalio/workflow';
import type { PipelineActivities } from '../contracts/pipeline-stages.js';
import { nonRetryableErrorTypes } from '../contracts/errors.js';
import type { TaskQueues } from '../contracts/task-queues.js';

/**
 * Activity proxies of the training pipeline, grouped by how their work behaves. `trainTimeout`
 * is a command trainer's own budget (`train.timeout`).
 */
export function pipelineActivities(queues: TaskQueues, trainOnGpu: boolean, trainTimeout?: string) {
  // Data stages stream whole datasets through DuckDB: minutes on large inputs, heartbeating as
  // they go. Their outputs are content-addressed and their rows upserts, so retries are safe;
  // bad input (unreadable files, failed expectations) is not retried.
  const data = proxyActivities<PipelineActivities>({
    taskQueue: queues.cpu,
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: '2 minutes',
    retry: { maximumAttempts: 4, initialInterval: '2 seconds', nonRetryableErrorTypes },
  });

  // Training can run for hours; it heartbeats every few seconds with its progress and the last
  // checkpoint, so a retry after a lost worker resumes instead of starting over.
  const training = proxyActivities<PipelineActivities>({
    taskQueue: trainOnGpu ? queues.gpu : queues.cpu,
    startToCloseTimeout: (trainTimeout ?? '12 hours') as Duration,
    // It beats every 5 s: 30 s without one means the worker is gone, and the retry resumes elsewhere.
    heartbeatTimeout: '30 seconds',
    retry: { maximumAttempts: 5, initialInterval: '5 seconds', nonRetryableErrorTypes },
  });

  // Registry and report writes are quick and idempotent (keyed by the workflow id).
  const bookkeeping = proxyActivities<PipelineActivities>({
    taskQueue: queues.cpu,
    startToCloseTimeout: '5 minutes',
    retry: { maximumAttempts: 10, initialInterval: '1 second', nonRetryableErrorTypes },
  });

  return { data, training, bookkeeping };
}

/**
 * Activities on the one worker that holds a run's staged raw data (its own task queue). If that
 * worker is gone the task never starts; the short schedule-to-start lets the workflow notice and
 * stage the data again elsewhere.
 */
export function scratchActivities(taskQueue: string) {
  return proxyActivities<PipelineActivities>({
    taskQueue,
    scheduleToStartTimeout: '5 minutes',
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: '2 minutes',
    retry: {
      maximumAttempts: 3,
      initialInterval: '2 seconds',
      nonRetryableErrorTypes,
    },
  });
}
