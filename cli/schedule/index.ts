import { Option, type Command } from 'commander';
import { addSubcommands, lazyCommand } from '../shared.js';
import type { ScheduleAction, ScheduleOptions } from './schedule.js';

/** `mlops schedule create|list|pause|unpause|trigger|delete`: training on Temporal Schedules. */
export function register(program: Command): void {
  const schedule = program
    .command('schedule')
    .description('training on a cron schedule (Temporal Schedules)');
  const run = (action: ScheduleAction, takesTarget = true) =>
    lazyCommand(async () => {
      const { scheduleCommand } = await import('./schedule.js');
      return (config, ...args: [string, ScheduleOptions] | [ScheduleOptions]) =>
        takesTarget
          ? scheduleCommand(config, action, args[0] as string, args[1] as ScheduleOptions)
          : scheduleCommand(config, action, undefined, args[0] as ScheduleOptions);
    });
  schedule
    .command('create')
    .description('train <spec> on a cron schedule (creating an existing one updates it)')
    .argument('<spec>', 'the pipeline spec')
    .requiredOption('--cron <expr>', 'cron expression, e.g. "0 3 * * *"')
    .addOption(
      new Option('--overlap <policy>', 'a run due while the last one runs').choices(['buffer-one', 'skip']),
    )
    .option('--reason <text>', 'why, for the audit trail')
    .option('--json', 'print JSON')
    .action(run('create'));
  schedule
    .command('list')
    .description('schedules with their next and recent runs')
    .option('--json', 'print JSON')
    .action(run('list', false));
  const target = { name: '<id>', description: 'the schedule id (`mlops schedule list`)' };
  // Changes are audited and say why; a trigger starts a run and changes nothing.
  for (const [action, description] of [
    ['pause', 'stop starting runs until unpaused'],
    ['unpause', 'start runs again'],
    ['delete', 'delete the schedule (runs it started go on)'],
  ] as const)
    schedule
      .command(action)
      .description(description)
      .argument(target.name, target.description)
      .option('--reason <text>', 'why, for the audit trail')
      .option('--json', 'print JSON')
      .action(run(action));
  addSubcommands<ScheduleAction>(schedule, [['trigger', 'start a run now']], target, (action) => run(action));
}
