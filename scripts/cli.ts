import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/index.js';
import { TemporalBinaryNotFoundError } from './stack/temporal-binary.js';
import type { DemoOptions } from './commands/demo.js';
import type { MonitorStartOptions } from './commands/monitor.js';
import { parseBatchSize, parseLimit, parseModelReference, parsePort } from './commands/model-reference.js';
import type { RunOptions } from './commands/run.js';
import { exitCodes, loadConfigOrExit, UsageError } from './commands/shared.js';

// Each command's module is imported when that command runs: together they load the Temporal
// client and worker, PostgreSQL, S3, DuckDB and the prediction server, about a second that
// `mlops --help`, a usage error or a light command would otherwise wait for.

const program = new Command('mlops')
  .description('The ML loop as durable Temporal workflows.')
  .showHelpAfterError()
  .exitOverride();

program
  .command('up')
  .description('run the embedded stack (Temporal, PostgreSQL, S3) and both worker pools until Ctrl-C')
  .option('--json', 'print the endpoints as JSON')
  .action(async (options: { json?: boolean }) =>
    (await import('./commands/up.js')).upCommand(loadConfigOrExit(), options),
  );

const demoCommandOf = (name: string, description: string) =>
  program
    .command(name)
    .description(description)
    .option('--weeks <count>', 'weeks of February-June 2001 to replay (default 22)')
    .option('--week-seconds <seconds>', 'wall-clock seconds per simulated week (default 11)')
    .option('--flights-per-week <count>', 'flights sampled per week (default 1500)')
    .option('--json', 'print the summary as JSON: { windows, versions, events }')
    .option('--exit', 'stop everything after the summary')
    .option('--keep', 'keep the stack up after the summary even when not in a terminal')
    .action(async (options: DemoOptions) =>
      (await import('./commands/demo.js')).demoCommand(loadConfigOrExit(), options),
    );
demoCommandOf(
  'start',
  'the main job (npm start): the whole loop on real flights data (same as `mlops demo`)',
);
demoCommandOf(
  'demo',
  'train on January 2001 flights, serve, replay February-June, let monitoring, retraining and promotion act',
);

program
  .command('smoke')
  .description('a small pipeline through the stack and both worker pools, with its result')
  .option('--json', 'print the summary as JSON')
  .option('--exit', 'stop everything after printing the result')
  .option('--keep', 'keep the stack up after the result even when not in a terminal')
  .action(async (options: { json?: boolean; exit?: boolean; keep?: boolean }) =>
    (await import('./commands/smoke.js')).smokeCommand(loadConfigOrExit(), options),
  );

program
  .command('run')
  .description('start a training pipeline from a spec file (YAML or JSON)')
  .argument('<spec>', 'the pipeline spec')
  .option('--wait', 'show live progress and end with the result')
  .option('--json', 'print the result as JSON')
  .option('--no-cache', 'run every stage even when an identical earlier run could be reused')
  .action(async (specPath: string, options: RunOptions) => {
    const { runCommand } = await import('./commands/run.js');
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
    const { runsListCommand } = await import('./commands/runs.js');
    process.exitCode = await runsListCommand(loadConfigOrExit(), options);
  });
runs
  .command('show')
  .description("a run's status, error, stages, Temporal UI link and, while it runs, its live progress")
  .argument('<workflowId>', 'the workflow id `mlops run` printed')
  .option('--json', 'print the run as JSON')
  .action(async (workflowId: string, options: { json?: boolean }) => {
    const { runsShowCommand } = await import('./commands/runs.js');
    process.exitCode = await runsShowCommand(loadConfigOrExit(), workflowId, options);
  });

runs
  .command('cancel')
  .description('stop a running pipeline: it is recorded as cancelled and registers nothing more')
  .argument('<workflowId>', 'the workflow id `mlops run` printed')
  .option('--json', 'print the outcome as JSON')
  .action(async (workflowId: string, options: { json?: boolean }) => {
    const { runsCancelCommand } = await import('./commands/runs.js');
    process.exitCode = await runsCancelCommand(loadConfigOrExit(), workflowId, options);
  });

const models = program.command('models').description('the model registry');
models
  .command('list')
  .description('every model with its number of versions, latest version and champion')
  .option('--json', 'print the models as JSON')
  .action(async (options: { json?: boolean }) => {
    const { modelsListCommand } = await import('./commands/models.js');
    process.exitCode = await modelsListCommand(loadConfigOrExit(), options);
  });
models
  .command('show')
  .description("a model's versions, or one version in detail with its report (<name>@<version>)")
  .argument('<model>', '<name> or <name>@<version>')
  .option('--json', 'print it as JSON')
  .action(async (model: string, options: { json?: boolean }) => {
    const reference = parseModelReference(model, { versionRequired: false });
    const { modelsShowCommand } = await import('./commands/models.js');
    process.exitCode = await modelsShowCommand(loadConfigOrExit(), reference, options);
  });

program
  .command('lineage')
  .description('where a model version came from: datasets, stages, artifacts, code version, params, totals')
  .argument('<model>', '<name>@<version>')
  .option('--json', 'print the lineage as JSON')
  .action(async (model: string, options: { json?: boolean }) => {
    const reference = parseModelReference(model, { versionRequired: true });
    const { lineageCommand } = await import('./commands/lineage.js');
    process.exitCode = await lineageCommand(loadConfigOrExit(), reference, options);
  });

models
  .command('promote')
  .description("make <name>@<version> the champion (through the model's lifecycle workflow, audited)")
  .argument('<model>', '<name>@<version>')
  .option('--reason <text>', 'why, for the audit trail')
  .option('--json', 'print the transition as JSON')
  .action(async (model: string, options: { reason?: string; json?: boolean }) => {
    const { promoteCommand } = await import('./commands/lifecycle.js');
    process.exitCode = await promoteCommand(
      loadConfigOrExit(),
      parseModelReference(model, { versionRequired: true }),
      options,
    );
  });
models
  .command('rollback')
  .description('serve the previous champion again')
  .argument('<name>', 'the model')
  .option('--reason <text>', 'why, for the audit trail')
  .option('--json', 'print the transition as JSON')
  .action(async (name: string, options: { reason?: string; json?: boolean }) => {
    const { rollbackCommand } = await import('./commands/lifecycle.js');
    process.exitCode = await rollbackCommand(loadConfigOrExit(), name, options);
  });
models
  .command('challenge')
  .description('judge <name>@<version> against the champion, run a canary, then promote or roll back')
  .argument('<model>', '<name>@<version>')
  .option('--share <fraction>', 'share of requests the canary serves (default 0.1)')
  .option('--bake <seconds>', 'longest the canary bakes (default 1 day)')
  .option('--min-labels <count>', 'labeled predictions each version needs (default 200)')
  .option('--json', 'print the answer as JSON')
  .action(
    async (model: string, options: { share?: string; bake?: string; minLabels?: string; json?: boolean }) => {
      const { challengeCommand } = await import('./commands/lifecycle.js');
      process.exitCode = await challengeCommand(
        loadConfigOrExit(),
        parseModelReference(model, { versionRequired: true }),
        options,
      );
    },
  );
models
  .command('approve')
  .description('answer a canary waiting for approval')
  .argument('<name>', 'the model')
  .argument('<decision>', 'promote or rollback')
  .option('--reason <text>', 'why, for the audit trail')
  .option('--json', 'print the answer as JSON')
  .action(async (name: string, decision: string, options: { reason?: string; json?: boolean }) => {
    const { approveCommand } = await import('./commands/lifecycle.js');
    process.exitCode = await approveCommand(loadConfigOrExit(), name, decision, options);
  });
models
  .command('status')
  .description('champion, running canary and recent transitions of a model')
  .argument('<name>', 'the model')
  .option('--json', 'print the status as JSON')
  .action(async (name: string, options: { json?: boolean }) => {
    const { lifecycleStatusCommand } = await import('./commands/lifecycle.js');
    process.exitCode = await lifecycleStatusCommand(loadConfigOrExit(), name, options);
  });

program
  .command('monitor')
  .description("the model's monitor: drift, live metrics and retraining (start, status, stop, pause, resume)")
  .argument('<action>', 'start, status, stop, pause or resume')
  .argument('<name>', 'the model')
  .option('--interval <duration>', 'how often a window is judged (30s, 15m, 1h; default 1h)')
  .option('--min-rows <count>', 'windows with fewer predictions are not judged (default 500)')
  .option('--drift-windows <count>', 'consecutive drifted windows that start a retrain (default 2)')
  .option(
    '--metric-drop <amount>',
    'live metric drop below the test value that starts a retrain (default 0.05)',
  )
  .option('--cooldown <duration>', 'no new retrain this long after one (default 6h)')
  .option('--json', 'print JSON')
  .action(async (action: string, name: string, options: MonitorStartOptions) => {
    const { monitorCommand } = await import('./commands/monitor.js');
    process.exitCode = await monitorCommand(loadConfigOrExit(), action, name, options);
  });

program
  .command('schedule')
  .description('train on a cron schedule (create <spec> --cron, list, pause, unpause, trigger, delete <id>)')
  .argument('<action>', 'create, list, pause, unpause, trigger or delete')
  .argument('[target]', 'the spec file (create) or the schedule id')
  .option('--cron <expr>', 'cron expression, e.g. "0 3 * * *"')
  .option('--overlap <policy>', 'a run due while the last one runs: buffer-one (default) or skip')
  .option('--json', 'print JSON')
  .action(
    async (
      action: string,
      target: string | undefined,
      options: { cron?: string; overlap?: string; json?: boolean },
    ) => {
      const { scheduleCommand } = await import('./commands/schedule.js');
      process.exitCode = await scheduleCommand(loadConfigOrExit(), action, target, options);
    },
  );

program
  .command('serve')
  .description(
    'the prediction server in the foreground (KServe V1 REST; embedded stack or configured services)',
  )
  .option(
    '--port <port>',
    'port to listen on (default MLOPS_SERVING_PORT or 8080; 0: a free port)',
    parsePort,
  )
  .option('--host <address>', 'address to listen on (default MLOPS_SERVING_HOST or 127.0.0.1)')
  .option('--json', 'print the URL, models and token file as JSON')
  .action(async (options: { port?: number; host?: string; json?: boolean }) =>
    (await import('./commands/serve.js')).serveCommand(loadConfigOrExit(), options),
  );

program
  .command('predict')
  .description('predictions from the prediction server for a JSON Lines file (one instance per line)')
  .argument('<name>', 'the model')
  .requiredOption('--input <file.jsonl>', 'instances, one JSON object per line')
  .option('--batch <n>', 'instances per request (1-1000)', parseBatchSize, 100)
  .option('--json', 'print predictions, probabilities, versions and prediction ids as JSON')
  .action(async (name: string, options: { input: string; batch: number; json?: boolean }) => {
    const { predictCommand } = await import('./commands/predict.js');
    process.exitCode = await predictCommand(loadConfigOrExit(), name, options);
  });

const tokens = program.command('tokens').description('bearer tokens of the prediction server');
tokens
  .command('create')
  .description('a new token; printed once (only its hash is stored)')
  .requiredOption('--name <name>', 'what the token is for (revoke it by this name)')
  .option(
    '--scopes <scopes>',
    'comma-separated: predict, feedback, admin (admin implies the others)',
    'predict',
  )
  .option('--json', 'print the token as JSON')
  .action(async (options: { name: string; scopes: string; json?: boolean }) => {
    const { tokensCreateCommand } = await import('./commands/tokens.js');
    process.exitCode = await tokensCreateCommand(loadConfigOrExit(), options);
  });
tokens
  .command('revoke')
  .description('withdraw the active token of this name')
  .argument('<name>', 'the token name')
  .option('--json', 'print the result as JSON')
  .action(async (name: string, options: { json?: boolean }) => {
    const { tokensRevokeCommand } = await import('./commands/tokens.js');
    process.exitCode = await tokensRevokeCommand(loadConfigOrExit(), name, options);
  });
tokens
  .command('list')
  .description('token names, scopes and dates (never the tokens)')
  .option('--json', 'print the tokens as JSON')
  .action(async (options: { json?: boolean }) => {
    const { tokensListCommand } = await import('./commands/tokens.js');
    process.exitCode = await tokensListCommand(loadConfigOrExit(), options);
  });

program
  .command('doctor')
  .description('check every dependency and say what is wrong and how to fix it')
  .option('--json', 'print the endpoints in use and the checks as JSON')
  .action(async (options: { json?: boolean }) => {
    const { doctorCommand } = await import('./commands/doctor.js');
    process.exitCode = await doctorCommand(loadConfigOrExit(), options);
  });

program
  .command('worker')
  .description('run worker pools in the foreground (scale out by running this on more machines)')
  .option('--pool <pool>', 'cpu, gpu or all', 'cpu')
  .action(async (options: { pool: string }) =>
    (await import('./commands/worker.js')).workerCommand(loadConfigOrExit(), options),
  );

program
  .command('migrate')
  .description('apply pending database migrations')
  .action(async () => (await import('./commands/maintenance.js')).migrateCommand(loadConfigOrExit()));

program
  .command('build-workflows')
  .description('build the workflow bundle production workers load (MLOPS_WORKFLOW_BUNDLE)')
  .requiredOption('--out <file>', 'where to write the bundle')
  .action(async (options: { out: string }) =>
    (await import('./commands/maintenance.js')).buildWorkflowsCommand(options),
  );

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
