import { Option, type Command } from 'commander';
import { parseLimit } from '../options.js';
import { lazyCommand } from '../shared.js';

/** `mlops run <spec>` and `mlops runs list|show|cancel`: training pipelines and their stages. */
export function register(program: Command): void {
  program
    .command('run')
    .description('start a training pipeline from a spec file (YAML or JSON)')
    .argument('<spec>', 'the pipeline spec')
    .option('--wait', 'show live progress and end with the result')
    .option('--json', 'print the result as JSON')
    .option('--no-cache', 'run every stage even when an identical earlier run could be reused')
    .addOption(
      new Option(
        '--on-interrupt <choice>',
        'what Ctrl-C does while waiting (default: ask in a terminal, else detach)',
      ).choices(['cancel', 'detach']),
    )
    .action(lazyCommand(async () => (await import('./run.js')).runCommand));

  const runs = program.command('runs').description('recent pipeline runs and their stages');
  runs
    .command('list')
    .description('recent pipeline runs, newest first')
    .option('--pipeline <name>', 'only runs of this pipeline')
    .option('--limit <n>', 'how many runs (1-1000)', parseLimit, 20)
    .option('--json', 'print the runs as JSON')
    .action(lazyCommand(async () => (await import('./runs.js')).runsListCommand));
  runs
    .command('show')
    .description("a run's status, error, stages, Temporal UI link and, while it runs, its live progress")
    .argument('<workflowId>', 'the workflow id `mlops run` printed')
    .option('--json', 'print the run as JSON')
    .action(lazyCommand(async () => (await import('./runs.js')).runsShowCommand));
  runs
    .command('cancel')
    .description('stop a running pipeline: it is recorded as cancelled and registers nothing more')
    .argument('<workflowId>', 'the workflow id `mlops run` printed')
    .option('--json', 'print the outcome as JSON')
    .action(lazyCommand(async () => (await import('./runs.js')).runsCancelCommand));
}
