import { ConfigError, loadConfig, type Config } from '../config/index.js';
import { createLogger, type Logger } from '../config/logger.js';

/** Exit codes every command shares (DESIGN.md): 0 done, 1 failed, 2 bad usage or configuration. */
export const exitCodes = { ok: 0, failed: 1, usage: 2, rejected: 3 } as const;

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
