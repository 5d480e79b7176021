import { readFile } from 'node:fs/promises';
import { ScheduleNotFoundError } from '@temporalio/client';
import { listSchedules, upsertTrainingSchedule } from '../../client/schedules.js';
import type { Config } from '../../config/index.js';
import { parseSpecText, SpecError } from '../../spec/parse.js';
import { cliActor } from '../models/lifecycle.js';
import { withTrainerCode } from '../trainer-code.js';
import { openSession } from '../session.js';
import { cliLogger, exitCodes, printJson, UsageError } from '../shared.js';

export type ScheduleAction = 'create' | 'list' | 'pause' | 'unpause' | 'trigger' | 'delete';

export interface ScheduleOptions {
  readonly cron?: string;
  readonly overlap?: 'skip' | 'buffer-one';
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
  const session = await openSession(config, cliLogger(config, 'schedule'), { workers: false });
  try {
    const client = session.client.temporal;
    if (action === 'create' && spec && target) {
      const packaged = await withTrainerCode(session, spec, target);
      if (typeof packaged === 'number') return packaged;
      const result = await upsertTrainingSchedule(client, packaged, {
        cron: options.cron!,
        overlap: options.overlap,
        taskQueues: config.taskQueues,
      });
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
      else
        for (const row of rows)
          process.stdout.write(
            `${row.scheduleId}  ${row.paused ? 'PAUSED' : 'active'}  next ${row.nextRuns[0] ?? '-'}  ${row.note ?? ''}\n`,
          );
    } else {
      const handle = client.schedule.getHandle(target!);
      if (action === 'pause') await handle.pause(`paused by ${cliActor()}`);
      else if (action === 'unpause') await handle.unpause();
      else if (action === 'trigger') await handle.trigger();
      else await handle.delete();
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
