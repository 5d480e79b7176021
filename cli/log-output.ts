import { writeSync } from 'node:fs';
import type { Config } from '../config/index.js';
import { createLogger, type Logger } from '../config/logger.js';

/**
 * How a command's logs reach people. In a terminal they are lines a person reads, at warn level
 * (what the command prints is the output; a line per stack start or activity attempt is noise),
 * unless `--verbose` or MLOPS_LOG_LEVEL asks for more. Not in a terminal (CI, a log collector,
 * `2> file`) or with `--json` they stay the JSON lines machines parse, at the configured level.
 * Services (`mlops up`, `worker`, `serve`, `codec-server`) log at the configured level either
 * way: their logs are what they print.
 */
export interface LogPreferences {
  readonly verbose: boolean;
  readonly json: boolean;
}

let preferences: LogPreferences = { verbose: false, json: false };

/** Set once per process by the command line's pre-action hook (cli/main.ts). */
export function setLogPreferences(chosen: LogPreferences): void {
  preferences = chosen;
}

export type LogFormat = 'human' | 'json';

/** What `cliLogger` decides, apart so that tests can check the rule without a terminal. */
export function logSettings(
  config: Pick<Config, 'logLevel' | 'logLevelSet'>,
  options: { readonly service?: boolean } = {},
  environment: { readonly terminal: boolean; readonly preferences: LogPreferences } = {
    terminal: process.stderr.isTTY === true,
    preferences,
  },
): { format: LogFormat; level: string } {
  const format = environment.terminal && !environment.preferences.json ? 'human' : 'json';
  if (config.logLevelSet) return { format, level: config.logLevel };
  if (environment.preferences.verbose) return { format, level: 'info' };
  return { format, level: format === 'human' && !options.service ? 'warn' : config.logLevel };
}

/** Whether a command's own logs are quieted to warn (so its in-process workers should be too). */
export function logsChosenByUser(config: Pick<Config, 'logLevelSet'>): boolean {
  return config.logLevelSet === true || preferences.verbose;
}

export function cliLogger(
  config: Config,
  command: string,
  options: { readonly service?: boolean } = {},
): Logger {
  const { format, level } = logSettings(config, options);
  if (format === 'json') return createLogger(level, { command });
  const color = process.env.NO_COLOR === undefined && process.env.TERM !== 'dumb';
  return createLogger(level, { command }, { write: (line) => writeSync(2, humanLogLine(line, color)) });
}

// Fields every line carries or that the human line shows in its own place.
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'command', 'component', 'v']);
const LEVELS: Record<number, { name: string; color: string }> = {
  10: { name: 'trace', color: '90' },
  20: { name: 'debug', color: '90' },
  30: { name: 'info', color: '36' },
  40: { name: 'warn', color: '33' },
  50: { name: 'error', color: '31' },
  60: { name: 'fatal', color: '31' },
};

/**
 * One of pino's JSON lines as `12:03:44 warn  [workers] message  key=value ...`: the time, the
 * level, where it came from, the message, then the other fields (an error as its message; objects
 * as compact JSON). A line that is not JSON passes through unchanged.
 */
export function humanLogLine(line: string, color: boolean): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = LEVELS[Number(record.level)] ?? { name: String(record.level), color: '0' };
  const paint = (code: string, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const time = typeof record.time === 'number' ? new Date(record.time).toISOString().slice(11, 19) : '';
  const source = typeof record.component === 'string' ? `[${record.component}] ` : '';
  const fields = Object.entries(record)
    .filter(([key, value]) => !HIDDEN.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${fieldText(value)}`);
  const message = typeof record.msg === 'string' ? record.msg : '';
  const rest = fields.length ? `  ${paint('2', fields.join(' '))}` : '';
  return `${paint('2', time)} ${paint(level.color, level.name.padEnd(5))} ${source}${message}${rest}\n`;
}

function fieldText(value: unknown): string {
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value;
  if (typeof value === 'object' && value !== null && 'message' in value) {
    const message = (value as { message: unknown }).message;
    if (typeof message === 'string') return JSON.stringify(message);
  }
  return JSON.stringify(value);
}
