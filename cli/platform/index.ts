import type { Command } from 'commander';
import { loadConfigOrExit } from '../shared.js';

/** Running and operating the platform: the embedded stack, workers, health checks, migrations, the bundle. */
export function register(program: Command): void {
  program
    .command('up')
    .description('run the embedded stack (Temporal, PostgreSQL, S3) and both worker pools until Ctrl-C')
    .option('--json', 'print the endpoints as JSON')
    .action(async (options: { json?: boolean }) =>
      (await import('./up.js')).upCommand(loadConfigOrExit(), options),
    );

  program
    .command('doctor')
    .description('check every dependency and say what is wrong and how to fix it')
    .option('--json', 'print the endpoints in use and the checks as JSON')
    .action(async (options: { json?: boolean }) => {
      const { doctorCommand } = await import('./doctor.js');
      process.exitCode = await doctorCommand(loadConfigOrExit(), options);
    });

  program
    .command('worker')
    .description('run worker pools in the foreground (scale out by running this on more machines)')
    .option('--pool <pool>', 'cpu, gpu or all', 'cpu')
    .action(async (options: { pool: string }) =>
      (await import('./worker.js')).workerCommand(loadConfigOrExit(), options),
    );

  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(async () => (await import('./maintenance.js')).migrateCommand(loadConfigOrExit()));

  program
    .command('build-workflows')
    .description('build the workflow bundle production workers load (MLOPS_WORKFLOW_BUNDLE)')
    .requiredOption('--out <file>', 'where to write the bundle')
    .action(async (options: { out: string }) =>
      (await import('./maintenance.js')).buildWorkflowsCommand(options),
    );
}
