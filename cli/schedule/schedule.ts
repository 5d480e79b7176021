import { readFile } from 'node:fs/promises';
import { ScheduleNotFoundError } from '@temporalio/client';
import type { Client } from '@temporalio/client';
import {
  describeTrainingSchedule,
  listSchedules,
  scheduleIdFor,
  upsertTrainingSchedule,
  type TrainingScheduleState,
} from '../../client/schedules.js';
import type { Config } from '../../config/index.js';
import { auditKeys } from '../../contracts/audit-keys.js';
import type { Database } from '../../db/client.js';
import { recordAuditEvent } from '../../db/queries/audit.js';
import { parseSpecText, SpecError } from '../../spec/parse.js';
import { withTrainerCode } from '../trainer-code.js';
import { openSession, type DatabaseSession, type Session } from '../session.js';
import { cliActor, cliLogger, exitCodes, printJson, UsageError } from '../shared.js';

export type ScheduleAction = 'create' | 'list' | 'pause' | 'unpause' | 'trigger' | 'delete';

export interface ScheduleOptions {
  readonly cron?: string;
  readonly overlap?: 'skip' | 'buffer-one';
  readonly reason?: string;
  readonly json?: boolean;
}

/** `mlops schedule create <spec> --cron "<expr>" | list | pause <id> | unpause <id> | trigger <id> | delete <id>`. */
export async function scheduleCommand(
  config: Config,
  action: ScheduleAction,
  target: string | undefined,
  options: ScheduleOptions,
): Promise<number> {
  let spec;
  if (action === 'create') {
    if (!options.cron) throw new UsageError('schedule create needs --cron "<expr>", e.g. --cron "0 3 * * *"');
    try {
      spec = parseSpecText(await readFile(target!, 'utf8'), target);
    } catch (error) {
      if (error instanceof SpecError) {
        process.stderr.write(`mlops: ${error.message}\n`);
        return exitCodes.usage;
      }
      throw new UsageError(`cannot read the spec file ${target}`);
    }
  }
  // The database only for changes: they are audited there.
  const changes = action !== 'list' && action !== 'trigger';
  const log = cliLogger(config, 'schedule');
  const session: Session & { readonly database?: DatabaseSession['database'] } = changes
    ? await openSession(config, log, { workers: false, database: true })
    : await openSession(config, log, { workers: false });
  const audited = <T>(scheduleId: string, change: () => Promise<T>) =>
    auditedScheduleChange(
      { client: session.client.temporal, db: session.database?.db },
      { scheduleId, action, reason: options.reason },
      change,
    );
  try {
    const client = session.client.temporal;
    if (action === 'create' && spec && target) {
      const packaged = await withTrainerCode(session, spec, target);
      if (typeof packaged === 'number') return packaged;
      const result = await audited(scheduleIdFor(packaged.name), () =>
        upsertTrainingSchedule(client, packaged, {
          cron: options.cron!,
          overlap: options.overlap,
          taskQueues: config.taskQueues,
        }),
      );
      if (options.json) printJson(result);
      else
        process.stdout.write(
          `${result.created ? 'created' : 'updated'} schedule ${result.scheduleId} (${options.cron})\n`,
        );
    } else if (action === 'list') {
      const schedules = await listSchedules(client);
      const rows = schedules.map((schedule) => ({
        scheduleId: schedule.scheduleId,
        paused: schedule.state.paused,
        note: schedule.state.note ?? null,
        nextRuns: (schedule.info?.nextActionTimes ?? []).slice(0, 3).map((time) => time.toISOString()),
        recentRuns: (schedule.info?.recentActions ?? [])
          .slice(-3)
          .map((run) => ({ at: run.takenAt.toISOString(), workflowId: run.action.workflow.workflowId })),
      }));
      if (options.json) printJson({ schedules: rows });
      else if (rows.length === 0)
        process.stdout.write(
          'no schedules yet: `mlops schedule create <spec> --cron "0 3 * * *"` trains on a cron schedule\n',
        );
      else
        for (const row of rows)
          process.stdout.write(
            `${row.scheduleId}  ${row.paused ? 'PAUSED' : 'active'}  next ${row.nextRuns[0] ?? '-'}  ${row.note ?? ''}\n`,
          );
    } else {
      const handle = client.schedule.getHandle(target!);
      // The schedule's note says who paused or unpaused it, and why, where Temporal shows it.
      const note = `${action}d by ${cliActor()}${options.reason ? `: ${options.reason}` : ''}`;
      if (action === 'trigger') await handle.trigger();
      else
        await audited(target!, () =>
          action === 'pause'
            ? handle.pause(note)
            : action === 'unpause'
              ? handle.unpause(note)
              : handle.delete(),
        );
      if (options.json) printJson({ scheduleId: target, [action]: true });
      else process.stdout.write(`${action}: ${target}\n`);
    }
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) {
      process.stderr.write(`mlops: no schedule ${target}; \`mlops schedule list\` shows them\n`);
      return exitCodes.failed;
    }
    throw error;
  } finally {
    await session.close();
  }
}

/**
 * Makes a change to a schedule and records it in the audit trail: the schedule's state before and
 * after, keyed by the schedule's revision after the change (its deletion once per schedule). A
 * change that changes nothing (creating a schedule again as it is, pausing a paused one) records
 * nothing.
 */
async function auditedScheduleChange<T>(
  platform: { readonly client: Client; readonly db: Database | undefined },
  change: { readonly scheduleId: string; readonly action: ScheduleAction; readonly reason?: string },
  makeChange: () => Promise<T>,
): Promise<T> {
  const { client, db } = platform;
  if (!db) throw new Error('schedule changes are audited: the session needs the database');
  const before = await describeTrainingSchedule(client, change.scheduleId);
  const result = await makeChange();
  const after = change.action === 'delete' ? null : await describeTrainingSchedule(client, change.scheduleId);
  const identity = after ?? before;
  if (!identity || (before && after && sameSchedule(before, after))) return result;
  await recordAuditEvent(db, {
    eventKey: auditKeys.scheduleChange(
      change.scheduleId,
      identity.createdAt,
      after ? after.revision : 'deleted',
    ),
    subjectKind: 'schedule',
    subject: change.scheduleId,
    action:
      change.action === 'create'
        ? before
          ? 'schedule-update'
          : 'schedule-create'
        : `schedule-${change.action}`,
    actor: cliActor(),
    reason: change.reason,
    before: before && auditedSchedule(before),
    after: after && auditedSchedule(after),
  });
  return result;
}

/** What people read in the trail: the schedule's settings, not Temporal's bookkeeping. */
function auditedSchedule(state: TrainingScheduleState) {
  return { cron: state.cron, overlap: state.overlap, paused: state.paused, note: state.note };
}

function sameSchedule(before: TrainingScheduleState, after: TrainingScheduleState): boolean {
  return before.cron === after.cron && before.overlap === after.overlap && before.paused === after.paused;
}
