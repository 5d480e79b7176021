import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/index.js';
import { TemporalBinaryNotFoundError } from './stack/temporal-server.js';
import { doctorCommand } from './commands/doctor.js';
import { buildWorkflowsCommand, migrateCommand } from './commands/maintenance.js';
import { exitCodes, loadConfigOrExit, UsageError } from './commands/shared.js';
import { runCommand, type RunOptions } from './commands/run.js';
import { lineageCommand } from './commands/lineage.js';
import { parseLimit, parseModelReference } from './commands/model-reference.js';
import { modelsListCommand, modelsShowCommand } from './commands/models.js';
import { runsListCommand, runsShowCommand } from './commands/runs.js';
import { startCommand } from './commands/start.js';
import { upCommand } from './commands/up.js';
import { workerCommand } from './commands/worker.js';

const program = new Command('mlops')
  .description('The ML loop as durable Temporal workflows.')
  .showHelpAfterError()
  .exitOverride();

program
  .command('up')
  .description('run the embedded stack (Temporal, PostgreSQL, S3) and both worker pools until Ctrl-C')
  .option('--json', 'print the endpoints as JSON')
  .action((options: { json?: boolean }) => upCommand(loadConfigOrExit(), options));

program
  .command('start')
  .description('the main job: stack, worker pools and a pipeline through them, with its result')
  .option('--json', 'print the summary as JSON')
  .option('--exit', 'stop everything after printing the result')
  .option('--keep', 'keep the stack up after the result even when not in a terminal')
  .action((options: { json?: boolean; exit?: boolean; keep?: boolean }) =>
    startCommand(loadConfigOrExit(), options),
  );

program
  .command('run')
  .description('start a training pipeline from a spec file (YAML or JSON)')
  .argument('<spec>', 'the pipeline spec')
  .option('--wait', 'show live progress and end with the result')
  .option('--json', 'print the result as JSON')
  .option('--no-cache', 'run every stage even when an identical earlier run could be reused')
  .action(async (specPath: string, options: RunOptions) => {
    process.exitCode = await runCommand(loadConfigOrExit(), specPath, options);
  });

const runs = program.command('runs').description('recent pipeline runs and their stages');
runs
  .command('list')
  .description('recent pipeline runs, newest first')
  .option('--pipeline <name>', 'only runs of this pipeline')
  .option('--limit <n>', 'how many runs (1-1000)', parseLimit, 20)
  .option('--json', 'print the runs as JSON')
  .action(async (options: { pipeline?: string; limit: number; json?: boolean }) => {
    process.exitCode = await runsListCommand(loadConfigOrExit(), options);
  });
runs
  .command('show')
  .description("a run's status, error, stages, Temporal UI link and, while it runs, its live progress")
  .argument('<workflowId>', 'the workflow id `mlops run` printed')
  .option('--json', 'print the run as JSON')
  .action(async (workflowId: string, options: { json?: boolean }) => {
    process.exitCode = await runsShowCommand(loadConfigOrExit(), workflowId, options);
  });

const models = program.command('models').description('the model registry');
models
  .command('list')
  .description('every model with its number of versions, latest version and champion')
  .option('--json', 'print the models as JSON')
  .action(async (options: { json?: boolean }) => {
    process.exitCode = await modelsListCommand(loadConfigOrExit(), options);
  });
models
  .command('show')
  .description("a model's versions, or one version in detail with its report (<name>@<version>)")
  .argument('<model>', '<name> or <name>@<version>')
  .option('--json', 'print it as JSON')
  .action(async (model: string, options: { json?: boolean }) => {
    const reference = parseModelReference(model, { versionRequired: false });
    process.exitCode = await modelsShowCommand(loadConfigOrExit(), reference, options);
  });

program
  .command('lineage')
  .description('where a model version came from: datasets, stages, artifacts, code version, params, totals')
  .argument('<model>', '<name>@<version>')
  .option('--json', 'print the lineage as JSON')
  .action(async (model: string, options: { json?: boolean }) => {
    const reference = parseModelReference(model, { versionRequired: true });
    process.exitCode = await lineageCommand(loadConfigOrExit(), reference, options);
  });

program
  .command('doctor')
  .description('check every dependency and say what is wrong and how to fix it')
  .option('--json', 'print the endpoints in use and the checks as JSON')
  .action(async (options: { json?: boolean }) => {
    process.exitCode = await doctorCommand(loadConfigOrExit(), options);
  });

program
  .command('worker')
  .description('run worker pools in the foreground (scale out by running this on more machines)')
  .option('--pool <pool>', 'cpu, gpu or all', 'cpu')
  .action((options: { pool: string }) => workerCommand(loadConfigOrExit(), options));

program
  .command('migrate')
  .description('apply pending database migrations')
  .action(() => migrateCommand(loadConfigOrExit()));

program
  .command('build-workflows')
  .description('build the workflow bundle production workers load (MLOPS_WORKFLOW_BUNDLE)')
  .requiredOption('--out <file>', 'where to write the bundle')
  .action((options: { out: string }) => buildWorkflowsCommand(options));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportError(error);
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`mlops: ${message}\n`);
  if (
    error instanceof UsageError ||
    error instanceof ConfigError ||
    error instanceof TemporalBinaryNotFoundError
  )
    return exitCodes.usage;
  return exitCodes.failed;
}
