import { UsageError } from './shared.js';

export interface ModelReference {
  readonly name: string;
  /** Absent for a bare `<name>` (allowed only where the command accepts one). */
  readonly version?: number;
}

// Model names are pipeline names (spec `name`); anything else cannot be registered.
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/**
 * Parses `<name>@<version>` (version a positive integer, `v3` accepted for `3`) or, when
 * `versionRequired` is false, a bare `<name>`. Anything else is a usage error that shows the
 * expected form, raised before the command connects to anything.
 */
export function parseModelReference(
  text: string,
  options: { readonly versionRequired: true },
): Required<ModelReference>;
export function parseModelReference(
  text: string,
  options: { readonly versionRequired: boolean },
): ModelReference;
export function parseModelReference(
  text: string,
  options: { readonly versionRequired: boolean },
): ModelReference {
  const expected = options.versionRequired ? '<name>@<version>' : '<name> or <name>@<version>';
  const example = 'for example penguins-species@3';
  const at = text.indexOf('@');
  const name = at === -1 ? text : text.slice(0, at);
  if (!MODEL_NAME.test(name)) {
    throw new UsageError(
      `${JSON.stringify(text)} is not ${expected}: the model name must be 1-63 letters, digits, dots, ` +
        `dashes or underscores, starting with a letter or digit (${example})`,
    );
  }
  if (at === -1) {
    if (options.versionRequired) {
      throw new UsageError(
        `${JSON.stringify(text)} names no version: expected ${expected} (${example}); ` +
          `\`mlops models show ${name}\` lists its versions`,
      );
    }
    return { name };
  }
  const versionText = text.slice(at + 1);
  const match = /^v?([1-9][0-9]{0,8})$/.exec(versionText);
  if (!match) {
    throw new UsageError(
      `${JSON.stringify(text)} is not ${expected}: the version must be a positive whole number, ` +
        `not ${JSON.stringify(versionText)} (${example})`,
    );
  }
  return { name, version: Number(match[1]) };
}

/** `<name>@<version>` as a commander argument parser. */
export const versionedModel = (text: string) => parseModelReference(text, { versionRequired: true });
/** `<name>` or `<name>@<version>` as a commander argument parser. */
export const modelOrVersion = (text: string) => parseModelReference(text, { versionRequired: false });

/** Parses `--limit`: a whole number from 1 to 1000. */
export function parseLimit(text: string): number {
  return parseCount('--limit', text);
}

/** Parses `--batch` (`mlops predict`): a whole number from 1 to 1000. */
export function parseBatchSize(text: string): number {
  return parseCount('--batch', text);
}

/** Parses `--port` (`mlops serve`): 0 (a free port) to 65535. */
export function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw new UsageError(`--port must be a port number from 0 to 65535, not ${JSON.stringify(text)}`);
  }
  return Number(text);
}

function parseCount(flag: string, text: string): number {
  if (!/^[1-9][0-9]*$/.test(text) || Number(text) > 1000) {
    throw new UsageError(`${flag} must be a whole number from 1 to 1000, not ${JSON.stringify(text)}`);
  }
  return Number(text);
}

/**
 * A parser for a numeric option in [min, max], for commander (`.option(flag, text, parser)`), so a
 * bad value is a usage error before anything connects.
 */
export function numberIn(flag: string, min: number, max: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max)
      throw new UsageError(`${flag} must be a number from ${min} to ${max}, not ${JSON.stringify(text)}`);
    return value;
  };
}

/** Like numberIn, for counts: a whole number from `min` to `max`. */
export function wholeNumberIn(flag: string, min: number, max: number): (text: string) => number {
  const parse = numberIn(flag, min, max);
  return (text) => {
    const value = parse(text);
    if (!Number.isInteger(value))
      throw new UsageError(`${flag} must be a whole number, not ${JSON.stringify(text)}`);
    return value;
  };
}

const SECONDS_PER_UNIT = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** A parser for a duration option (`30s`, `15m`, `1h`, `1d`; a bare number is seconds), in seconds. */
export function durationSeconds(flag: string): (text: string) => number {
  return (text) => {
    const match = /^(\d+(?:\.\d+)?)(s|m|h|d)?$/.exec(text);
    if (!match)
      throw new UsageError(
        `${flag} must be a duration such as 30s, 15m, 1h or 1d, not ${JSON.stringify(text)}`,
      );
    return Number(match[1]) * SECONDS_PER_UNIT[(match[2] ?? 's') as keyof typeof SECONDS_PER_UNIT];
  };
}

/** Parses `--since`: an ISO 8601 date or time (`2026-12-01`, `2026-12-01T09:30:00Z`). */
export function parseSince(text: string): Date {
  const time = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text) || Number.isNaN(time.getTime()))
    throw new UsageError(
      `--since must be an ISO 8601 date or time such as 2026-12-01 or 2026-12-01T09:30:00Z, not ${JSON.stringify(text)}`,
    );
  return time;
}
