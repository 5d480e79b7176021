import type { Command } from 'commander';
import { durationSeconds, numberIn, parseModelReference } from '../options.js';
import { loadConfigOrExit } from '../shared.js';
import type { ChallengeOptions } from './lifecycle.js';

type ReasonOptions = { reason?: string; json?: boolean };

/** `mlops models ...` (the registry and the lifecycle of what is served) and `mlops lineage`. */
export function register(program: Command): void {
  const models = program.command('models').description('the model registry and what each model serves');
  models
    .command('list')
    .description('every model with its number of versions, latest version and champion')
    .option('--json', 'print the models as JSON')
    .action(async (options: { json?: boolean }) => {
      const { modelsListCommand } = await import('./registry.js');
      process.exitCode = await modelsListCommand(loadConfigOrExit(), options);
    });
  models
    .command('show')
    .description("a model's versions, or one version in detail with its report (<name>@<version>)")
    .argument('<model>', '<name> or <name>@<version>')
    .option('--json', 'print it as JSON')
    .action(async (model: string, options: { json?: boolean }) => {
      const reference = parseModelReference(model, { versionRequired: false });
      const { modelsShowCommand } = await import('./registry.js');
      process.exitCode = await modelsShowCommand(loadConfigOrExit(), reference, options);
    });
  models
    .command('promote')
    .description("make <name>@<version> the champion (through the model's lifecycle workflow, audited)")
    .argument('<model>', '<name>@<version>')
    .option('--reason <text>', 'why, for the audit trail')
    .option('--json', 'print the transition as JSON')
    .action(async (model: string, options: ReasonOptions) => {
      const reference = parseModelReference(model, { versionRequired: true });
      const { promoteCommand } = await import('./lifecycle.js');
      process.exitCode = await promoteCommand(loadConfigOrExit(), reference, options);
    });
  models
    .command('rollback')
    .description('serve the previous champion again')
    .argument('<name>', 'the model')
    .option('--reason <text>', 'why, for the audit trail')
    .option('--json', 'print the transition as JSON')
    .action(async (name: string, options: ReasonOptions) => {
      const { rollbackCommand } = await import('./lifecycle.js');
      process.exitCode = await rollbackCommand(loadConfigOrExit(), name, options);
    });
  models
    .command('challenge')
    .description('judge <name>@<version> against the champion, run a canary, then promote or roll back')
    .argument('<model>', '<name>@<version>')
    .option(
      '--share <fraction>',
      'share of requests the canary serves (default 0.1)',
      numberIn('--share', 0, 1),
    )
    .option(
      '--bake <duration>',
      'longest the canary bakes: 90s, 30m, 6h, 1d (default 1d)',
      durationSeconds('--bake'),
    )
    .option(
      '--min-labels <count>',
      'labeled predictions each version needs (default 200)',
      numberIn('--min-labels', 1, 1e9),
    )
    .option('--json', 'print the answer as JSON')
    .action(async (model: string, options: ChallengeOptions) => {
      const reference = parseModelReference(model, { versionRequired: true });
      const { challengeCommand } = await import('./lifecycle.js');
      process.exitCode = await challengeCommand(loadConfigOrExit(), reference, options);
    });
  models
    .command('approve')
    .description('answer a canary waiting for approval')
    .argument('<name>', 'the model')
    .argument('<decision>', 'promote or rollback')
    .option('--reason <text>', 'why, for the audit trail')
    .option('--json', 'print the answer as JSON')
    .action(async (name: string, decision: string, options: ReasonOptions) => {
      const { approveCommand } = await import('./lifecycle.js');
      process.exitCode = await approveCommand(loadConfigOrExit(), name, decision, options);
    });
  models
    .command('status')
    .description('champion, running canary and recent transitions of a model')
    .argument('<name>', 'the model')
    .option('--json', 'print the status as JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      const { lifecycleStatusCommand } = await import('./lifecycle.js');
      process.exitCode = await lifecycleStatusCommand(loadConfigOrExit(), name, options);
    });

  program
    .command('lineage')
    .description('where a model version came from: datasets, stages, artifacts, code version, params, totals')
    .argument('<model>', '<name>@<version>')
    .option('--json', 'print the lineage as JSON')
    .action(async (model: string, options: { json?: boolean }) => {
      const reference = parseModelReference(model, { versionRequired: true });
      const { lineageCommand } = await import('./lineage.js');
      process.exitCode = await lineageCommand(loadConfigOrExit(), reference, options);
    });
}
