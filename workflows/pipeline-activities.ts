import type { ActivityFunction, Duration } from '@temporalio/common';
import { proxyActivities, type ActivityFunctionWithOptions } from '@temporalio/workflow';
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

  // Run bookkeeping writes one row: quick and idempotent (keyed by the workflow id).
  const bookkeeping = proxyActivities<PipelineActivities>({
    taskQueue: queues.cpu,
    startToCloseTimeout: '5 minutes',
    retry: { maximumAttempts: 10, initialInterval: '1 second', nonRetryableErrorTypes },
  });

  // Registration, promotion and the report are idempotent too, but they write several rows, wait
  // on the lifecycle workflow or read artifacts back: seconds, or as long as PostgreSQL or S3 hang.
  // They beat every 5 s, so a worker killed mid-way is noticed in 30 s instead of at the timeout.
  const registry = proxyActivities<PipelineActivities>({
    taskQueue: queues.cpu,
    startToCloseTimeout: '5 minutes',
    heartbeatTimeout: '30 seconds',
    retry: { maximumAttempts: 10, initialInterval: '1 second', nonRetryableErrorTypes },
  });

  return { data, training, bookkeeping, registry };
}

/**
 * Activities on the one worker that holds a run's staged raw data (its own task queue). If that
 * worker is gone the task never starts; the short schedule-to-start lets the workflow notice and
 * stage the data again elsewhere.
 *
 * With `retriedByWorkflow` (runs from the 'scratch-retries-in-workflow' patch on) each call is one
 * attempt, and data-preparation.ts retries: a server-side retry of an attempt whose worker died
 * would go to that dead worker's queue and wait out the schedule-to-start, minutes, where the
 * workflow can see the lost heartbeat and stage the data again at once.
 */
export function scratchActivities(taskQueue: string, retriedByWorkflow = false) {
  return proxyActivities<PipelineActivities>({
    taskQueue,
    scheduleToStartTimeout: '5 minutes',
    startToCloseTimeout: '2 hours',
    // They beat every 5 s (activities/heartbeat.ts): 30 s without one means the worker is gone.
    heartbeatTimeout: retriedByWorkflow ? '30 seconds' : '2 minutes',
    retry: retriedByWorkflow
      ? { maximumAttempts: 1 }
      : { maximumAttempts: 3, initialInterval: '2 seconds', nonRetryableErrorTypes },
  });
}

/**
 * Runs a stage's activity with a one-line summary of what it works on, which the Temporal UI
 * shows on the activity in the run's timeline and event history (user metadata, not an input:
 * it changes nothing the activity does, and replays of runs from before it match).
 */
export function summarized<T extends ActivityFunction>(
  activity: ActivityFunctionWithOptions<T>,
  summary: string,
  ...args: Parameters<T>
): Promise<Awaited<ReturnType<T>>> {
  return activity.executeWithOptions({ summary }, args);
}
