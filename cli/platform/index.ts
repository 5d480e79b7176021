import type { Command } from 'commander';
import { parsePort } from '../options.js';
import { lazyCommand } from '../shared.js';

/**
 * Running and operating the platform: the embedded stack, workers, health checks, migrations, the
 * bundle, and the codec server that lets Temporal UIs show encrypted payloads.
 */
export function register(program: Command): void {
  program
    .command('up')
    .description('run the embedded stack (Temporal, PostgreSQL, S3) and both worker pools until Ctrl-C')
    .option('--json', 'print the endpoints as JSON')
    .option(
      '--listen <address>',
      'also listen on this address of the machine, for workers on other machines (MLOPS_LISTEN_ADDRESS; they join with .mlops/worker.env)',
    )
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
    .command('codec-server')
    .description(
      'the payload codec server for the Temporal UI and CLI (POST /encode, /decode; admin token; CORS for the UI)',
    )
    .option(
      '--port <port>',
      'port (default MLOPS_CODEC_PORT, else the embedded UI expects, else 8888)',
      parsePort,
    )
    .option('--host <address>', 'address to listen on (default 127.0.0.1)')
    .option('--json', 'print the URL and allowed origins as JSON')
    .action(lazyCommand(async () => (await import('./codec-server.js')).codecServerCommand));

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
