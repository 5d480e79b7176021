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

const CRON_MEMO = 'scheduleCron';

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
    // Temporal keeps a cron expression only as calendars: the expression as given rides along, so
    // the schedule's state (audit trail, `describeTrainingSchedule`) can say it as it was written.
    memo: { [CRON_MEMO]: options.cron },
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

/** A training schedule as the audit trail records it before and after a change. */
export interface TrainingScheduleState {
  readonly scheduleId: string;
  /** The cron expression as given (null for a schedule made before it was kept). */
  readonly cron: string | null;
  readonly overlap: string | null;
  readonly paused: boolean;
  readonly note: string | null;
  /** Epoch ms: tells this schedule from an earlier one of the same id. */
  readonly createdAt: number;
  /** Temporal's conflict token, hex: advanced by every update, pause and unpause. */
  readonly revision: string;
}

/** The schedule's state, or null when there is no schedule of that id. */
export async function describeTrainingSchedule(
  client: Client,
  scheduleId: string,
): Promise<TrainingScheduleState | null> {
  try {
    const description = await client.schedule.getHandle(scheduleId).describe();
    const memo = description.action.type === 'startWorkflow' ? description.action.memo : undefined;
    const cron = memo?.[CRON_MEMO];
    return {
      scheduleId,
      cron: typeof cron === 'string' ? cron : null,
      overlap: description.policies.overlap ?? null,
      paused: description.state.paused,
      note: description.state.note ?? null,
      createdAt: description.info.createdAt.getTime(),
      revision: Buffer.from(description.raw.conflictToken ?? []).toString('hex'),
    };
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return null;
    throw error;
  }
}
