import {
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleSummary,
} from '@temporalio/client';
import {
  pipelineWorkflowId,
  trainingPipelineWorkflowType,
  type TrainingPipelineWorkflow,
} from '../contracts/pipeline.js';
import { defaultTaskQueues, type TaskQueues } from '../contracts/task-queues.js';
import { modelAttribute, pipelineAttribute } from '../contracts/search-attributes.js';
import type { PipelineSpec } from '../spec/types.js';

export const scheduleIdFor = (pipelineName: string) => `train/${pipelineName}`;

/**
 * Training on a cron schedule (Temporal Schedules). A run due while the previous one still runs is
 * buffered (at most one) or skipped, never run alongside it. Creating a schedule that exists updates it.
 */
export async function upsertTrainingSchedule(
  client: Client,
  spec: PipelineSpec,
  options: { cron: string; overlap?: 'buffer-one' | 'skip'; taskQueues?: TaskQueues; note?: string },
): Promise<{ scheduleId: string; created: boolean }> {
  const taskQueues = options.taskQueues ?? defaultTaskQueues;
  const scheduleId = scheduleIdFor(spec.name);
  const overlap = options.overlap === 'skip' ? ScheduleOverlapPolicy.SKIP : ScheduleOverlapPolicy.BUFFER_ONE;
  const action = {
    type: 'startWorkflow' as const,
    workflowType: trainingPipelineWorkflowType,
    // Temporal appends the run's scheduled time to this id.
    workflowId: pipelineWorkflowId(spec.name, 'scheduled'),
    taskQueue: taskQueues.cpu,
    args: [{ spec, taskQueues, noCache: false, trigger: 'schedule' }] as Parameters<TrainingPipelineWorkflow>,
    typedSearchAttributes: [
      { key: pipelineAttribute, value: spec.name },
      { key: modelAttribute, value: spec.name },
    ],
  };
  const handle = client.schedule.getHandle(scheduleId);
  try {
    await handle.update((previous) => ({
      ...previous,
      spec: { cronExpressions: [options.cron] },
      action,
      policies: { ...previous.policies, overlap },
    }));
    return { scheduleId, created: false };
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
  }
  await client.schedule.create({
    scheduleId,
    spec: { cronExpressions: [options.cron] },
    action,
    policies: { overlap, catchupWindow: '1 hour' },
    state: { note: options.note ?? `training ${spec.name}` },
  });
  return { scheduleId, created: true };
}

export async function listSchedules(client: Client): Promise<ScheduleSummary[]> {
  const schedules: ScheduleSummary[] = [];
  for await (const schedule of client.schedule.list()) schedules.push(schedule);
  return schedules;
}
