import { Option, type Command } from 'commander';
import { loadConfigOrExit } from '../shared.js';
import type { ScheduleAction } from './schedule.js';

type ScheduleOptions = { cron?: string; overlap?: 'skip' | 'buffer-one'; json?: boolean };

/** `mlops schedule create|list|pause|unpause|trigger|delete`: training on Temporal Schedules. */
export function register(program: Command): void {
  const schedule = program
    .command('schedule')
    .description('training on a cron schedule (Temporal Schedules)');
  const run = (action: ScheduleAction) => async (target: string | undefined, options: ScheduleOptions) => {
    const { scheduleCommand } = await import('./schedule.js');
    process.exitCode = await scheduleCommand(loadConfigOrExit(), action, target, options);
  };
  schedule
    .command('create')
    .description('train <spec> on a cron schedule (creating an existing one updates it)')
    .argument('<spec>', 'the pipeline spec')
    .requiredOption('--cron <expr>', 'cron expression, e.g. "0 3 * * *"')
    .addOption(
      new Option('--overlap <policy>', 'a run due while the last one runs').choices(['buffer-one', 'skip']),
    )
    .option('--json', 'print JSON')
    .action(run('create'));
  schedule
    .command('list')
    .description('schedules with their next and recent runs')
    .option('--json', 'print JSON')
    .action((options: ScheduleOptions) => run('list')(undefined, options));
  const byId: [ScheduleAction, string][] = [
    ['pause', 'stop starting runs until unpaused'],
    ['unpause', 'start runs again'],
    ['trigger', 'start a run now'],
    ['delete', 'delete the schedule (runs it started go on)'],
  ];
  for (const [action, description] of byId)
    schedule
      .command(action)
      .description(description)
      .argument('<id>', 'the schedule id (`mlops schedule list`)')
      .option('--json', 'print JSON')
      .action(run(action));
}
