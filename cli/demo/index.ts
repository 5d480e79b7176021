import type { Command } from 'commander';
import { lazyCommand } from '../shared.js';

/** The main job (`npm start`, the loop on real flights) and the smoke pipeline. */
export function register(program: Command): void {
  for (const [name, description] of [
    ['start', 'the main job (npm start): the whole loop on real flights data (same as `mlops demo`)'],
    [
      'demo',
      'train on January 2001 flights, serve, replay February-June, let monitoring, retraining and promotion act',
    ],
  ])
    program
      .command(name)
      .description(description)
      .option('--weeks <count>', 'weeks of February-June 2001 to replay (default 22)')
      .option('--week-seconds <seconds>', 'wall-clock seconds per simulated week (default 11)')
      .option('--flights-per-week <count>', 'flights sampled per week (default 1500)')
      .option('--json', 'print the summary as JSON: { windows, versions, events }')
      .option('--exit', 'stop everything after the summary')
      .option('--keep', 'keep the stack up after the summary even when not in a terminal')
      .action(lazyCommand(async () => (await import('./demo.js')).demoCommand));

  program
    .command('smoke')
    .description('a small pipeline through the stack and both worker pools, with its result')
    .option('--json', 'print the summary as JSON')
    .option('--exit', 'stop everything after printing the result')
    .option('--keep', 'keep the stack up after the result even when not in a terminal')
    .action(lazyCommand(async () => (await import('./smoke.js')).smokeCommand));
}
