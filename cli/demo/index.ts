import type { Command } from 'commander';
import { loadConfigOrExit } from '../shared.js';
import type { DemoOptions } from './demo.js';

/** The main job (`npm start`, the loop on real flights) and the smoke pipeline. */
export function register(program: Command): void {
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
        (await import('./demo.js')).demoCommand(loadConfigOrExit(), options),
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
      (await import('./smoke.js')).smokeCommand(loadConfigOrExit(), options),
    );
}
