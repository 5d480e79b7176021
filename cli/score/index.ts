import type { Command } from 'commander';
import { wholeNumberIn } from '../options.js';
import { lazyCommand } from '../shared.js';

/** `mlops score <model>[@<version>|@champion] --input <uri>`: batch scoring across the CPU pool. */
export function register(program: Command): void {
  program
    .command('score')
    .description('score a dataset with a registered model, in chunks across the CPU pool, into Parquet in S3')
    .argument('<model>', '<name>, <name>@<version> or <name>@champion (default: the champion)')
    .requiredOption('--input <uri>', 'the data: a local path, s3:// or http(s)://, Parquet, CSV or JSON')
    .option(
      '--output <s3uri>',
      'where the parts and manifest go (default s3://<bucket>/scores/<model>/<batch>)',
    )
    .option('--format <format>', 'parquet, csv or json (default: from the extension)')
    .option(
      '--chunk-rows <count>',
      'rows per chunk, one activity each (default 250000)',
      wholeNumberIn('--chunk-rows', 1, 1e8),
    )
    .option(
      '--parallel <count>',
      'chunks scored at the same time, at most (default 4)',
      wholeNumberIn('--parallel', 1, 256),
    )
    .option(
      '--monitor-rows <count>',
      "also log this many of the predictions (evenly spread) for the model's monitor (default 0)",
      wholeNumberIn('--monitor-rows', 0, 1e7),
    )
    .option('--detach', 'start it and print its workflow id, without waiting')
    .option('--json', 'print the result as JSON')
    .action(lazyCommand(async () => (await import('./score.js')).scoreCommand));
}
