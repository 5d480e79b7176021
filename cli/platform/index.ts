import type { Command } from 'commander';
import { lazyCommand } from '../shared.js';

/** Running and operating the platform: the embedded stack, workers, health checks, migrations, the bundle. */
export function register(program: Command): void {
  program
    .command('up')
    .description('run the embedded stack (Temporal, PostgreSQL, S3) and both worker pools until Ctrl-C')
    .option('--json', 'print the endpoints as JSON')
    .action(lazyCommand(async () => (await import('./up.js')).upCommand));

  program
    .command('doctor')
    .description('check every dependency and say what is wrong and how to fix it')
    .option('--json', 'print the endpoints in use and the checks as JSON')
    .action(lazyCommand(async () => (await import('./doctor.js')).doctorCommand));

  program
    .command('worker')
    .description('run worker pools in the foreground (scale out by running this on more machines)')
    .option('--pool <pool>', 'cpu, gpu or all', 'cpu')
    .action(lazyCommand(async () => (await import('./worker.js')).workerCommand));

  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(lazyCommand(async () => (await import('./maintenance.js')).migrateCommand));

  program
    .command('build-workflows')
    .description('build the workflow bundle production workers load (MLOPS_WORKFLOW_BUNDLE)')
    .requiredOption('--out <file>', 'where to write the bundle')
    // Reads no configuration: the image build runs it without any.
    .action(async (options: { out: string }) =>
      (await import('./maintenance.js')).buildWorkflowsCommand(options),
    );
}
