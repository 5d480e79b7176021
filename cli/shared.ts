import os from 'node:os';
import type { Command } from 'commander';
import { ConfigError, loadConfig, type Config } from '../config/index.js';
import type { Tracing } from '../config/tracing.js';

export { cliLogger } from './log-output.js';

/** Exit codes every command shares (DESIGN.md): 0 done, 1 failed, 2 bad usage or configuration. */
export const exitCodes = { ok: 0, failed: 1, usage: 2, rejected: 3 } as const;

/** Who asks, as the audit trail records a person's change made at the CLI. */
export function cliActor(): string {
  return `${os.userInfo().username}@${os.hostname()} (cli)`;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Reads and validates the environment once; an invalid value ends the process with every problem listed. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`mlops: ${error.message}\n`);
      process.exit(exitCodes.usage);
    }
    throw error;
  }
}

/** A command's implementation: the validated configuration, then commander's arguments and options. */
type CommandAction<Args extends unknown[]> = (config: Config, ...args: Args) => Promise<number | void>;

/**
 * A commander action that imports its command's module only when the command runs (the modules
 * load Temporal, PostgreSQL, S3 and DuckDB: a second `mlops --help` or a usage error should not
 * wait for), reads the configuration, and exits with the code the command returns.
 */
export function lazyCommand<Args extends unknown[]>(
  load: () => Promise<CommandAction<Args>>,
): (...args: Args) => Promise<void> {
  return async (...args) => {
    const config = loadConfigOrExit();
    // Tracing's SDK is loaded only when an OTLP endpoint is configured; its spans are sent before exit.
    const tracing = config.telemetry.tracing
      ? (await import('../config/tracing.js')).startTracing(config, serviceNameOf(args.at(-1)))
      : undefined;
    commandTracing = tracing;
    try {
      const action = await load();
      const code = await action(config, ...args);
      if (typeof code === 'number') process.exitCode = code;
    } finally {
      await tracing?.shutdown();
    }
  };
}

/** The running command's tracing, flushed before a signal ends the process too. */
let commandTracing: Tracing | undefined;

/** `mlops-worker`, `mlops-models-promote`: the command's path, from the Command commander passes last. */
function serviceNameOf(command: unknown): string {
  const names: string[] = [];
  for (let at = command as Command | null | undefined; at && typeof at.name === 'function'; at = at.parent)
    names.unshift(at.name());
  return names.length > 1 ? names.join('-') : 'mlops';
}

/**
 * Subcommands that each take one argument and `--json` (`mlops monitor pause <name>`,
 * `mlops schedule delete <id>`), registered on `group` with the action `actionOf` gives each.
 */
export function addSubcommands<Name extends string>(
  group: Command,
  subcommands: readonly (readonly [Name, string])[],
  argument: { readonly name: string; readonly description: string },
  actionOf: (name: Name) => Parameters<Command['action']>[0],
): void {
  for (const [name, description] of subcommands)
    group
      .command(name)
      .description(description)
      .argument(argument.name, argument.description)
      .option('--json', 'print JSON')
      .action(actionOf(name));
}

/**
 * Runs `stop` once on the first SIGINT/SIGTERM and exits when it is done; a second signal exits
 * at once (the user insists).
 */
export function onShutdownSignal(stop: (signal: NodeJS.Signals) => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write(`\n${signal}: stopping (again to force)...\n`);
    stop(signal).then(
      async () => {
        await commandTracing?.shutdown();
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`mlops: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(exitCodes.failed);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
