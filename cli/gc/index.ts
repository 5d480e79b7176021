import type { Command } from 'commander';
import { lazyCommand } from '../shared.js';

/** `mlops gc`: retention of artifacts, dataset versions and prediction logs (cli/gc/retention.ts). */
export function register(program: Command): void {
  program
    .command('gc')
    .description(
      'delete what no row references (objects older than MLOPS_GC_GRACE) and apply retention (MLOPS_ARTIFACT_RETENTION, MLOPS_PREDICTION_RETENTION); champions, challengers and their lineage are kept',
    )
    .option('--dry-run', 'print what would be removed and change nothing')
    .option('--model <name>', "only this model's versions, runs, datasets, prediction logs and key prefixes")
    .option('--json', 'print the summary as JSON')
    .action(lazyCommand(async () => (await import('./gc.js')).gcCommand));
}
