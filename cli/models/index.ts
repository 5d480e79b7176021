import type { Command } from 'commander';
import { durationSeconds, modelOrVersion, numberIn, versionedModel } from '../options.js';
import { lazyCommand } from '../shared.js';

/** `mlops models ...` (the registry and the lifecycle of what is served) and `mlops lineage`. */
export function register(program: Command): void {
  const models = program.command('models').description('the model registry and what each model serves');
  const lifecycle = () => import('./lifecycle.js');
  models
    .command('list')
    .description('every model with its number of versions, latest version and champion')
    .option('--json', 'print the models as JSON')
    .action(lazyCommand(async () => (await import('./registry.js')).modelsListCommand));
  models
    .command('show')
    .description("a model's versions, or one version in detail with its report (<name>@<version>)")
    .argument('<model>', '<name> or <name>@<version>', modelOrVersion)
    .option('--json', 'print it as JSON')
    .action(lazyCommand(async () => (await import('./registry.js')).modelsShowCommand));
  models
    .command('report')
    .description("save a version's HTML report locally, print its path, and open it with --open")
    .argument('<model>', '<name>@<version>', versionedModel)
    .option('--open', "open it in the desktop's browser")
    .option('--json', 'print { model, uri, path, opened } as JSON')
    .action(lazyCommand(async () => (await import('./report.js')).modelsReportCommand));
  models
    .command('promote')
    .description("make <name>@<version> the champion (through the model's lifecycle workflow, audited)")
    .argument('<model>', '<name>@<version>', versionedModel)
    .option('--reason <text>', 'why, for the audit trail')
    .option('--json', 'print the transition as JSON')
    .action(lazyCommand(async () => (await lifecycle()).promoteCommand));
  models
    .command('rollback')
    .description('serve the previous champion again')
    .argument('<name>', 'the model')
    .option('--reason <text>', 'why, for the audit trail')
    .option('--json', 'print the transition as JSON')
    .action(lazyCommand(async () => (await lifecycle()).rollbackCommand));
  models
    .command('challenge')
    .description('judge <name>@<version> against the champion, run a canary, then promote or roll back')
    .argument('<model>', '<name>@<version>', versionedModel)
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
    .option('--reason <text>', 'why, for the audit trail')
    .option('--json', 'print the answer as JSON')
    .action(lazyCommand(async () => (await lifecycle()).challengeCommand));
  models
    .command('approve')
    .description('answer a canary waiting for approval')
    .argument('<name>', 'the model')
    .argument('<decision>', 'promote or rollback')
    .option('--reason <text>', 'why, for the audit trail')
    .option('--json', 'print the answer as JSON')
    .action(lazyCommand(async () => (await lifecycle()).approveCommand));
  models
    .command('status')
    .description('champion, running canary and recent transitions of a model')
    .argument('<name>', 'the model')
    .option('--json', 'print the status as JSON')
    .action(lazyCommand(async () => (await lifecycle()).lifecycleStatusCommand));

  models
    .command('import')
    .description(
      "evaluate an ONNX model trained elsewhere on a spec's data, gate and register it (as `mlops run` does)",
    )
    .argument('<file.onnx>', 'the model (one input per feature, or one float matrix; docs/trainers.md)')
    .requiredOption('--name <model>', 'the model to register it under')
    .requiredOption(
      '--spec <spec.yaml>',
      'names the dataset, target, split, evaluation and deploy (train is ignored)',
    )
    .option('--json', 'print the result as JSON')
    .option('--no-cache', 'run every stage even when an identical earlier run could be reused')
    .action(lazyCommand(async () => (await import('./import.js')).importCommand));

  program
    .command('lineage')
    .description('where a model version came from: datasets, stages, artifacts, code version, params, totals')
    .argument('<model>', '<name>@<version>', versionedModel)
    .option('--json', 'print the lineage as JSON')
    .action(lazyCommand(async () => (await import('./lineage.js')).lineageCommand));
}
