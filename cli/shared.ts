import os from 'node:os';
import type { Command } from 'commander';
import { ConfigError, loadConfig, type Config } from '../config/index.js';
import { createLogger, type Logger } from '../config/logger.js';

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
    const action = await load();
    const code = await action(loadConfigOrExit(), ...args);
    if (typeof code === 'number') process.exitCode = code;
  };
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

export function cliLogger(config: Config, command: string): Logger {
  return createLogger(config.logLevel, { command });
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
      () => process.exit(0),
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
