import { describe, expect, it } from 'vitest';
import { humanLogLine, logSettings } from '../../cli/log-output.js';

const quiet = { verbose: false, json: false };

describe('how a command logs', () => {
  it('writes human lines at warn level in a terminal, JSON at the configured level elsewhere', () => {
    const defaults = { logLevel: 'info', logLevelSet: false };
    expect(logSettings(defaults, {}, { terminal: true, preferences: quiet })).toEqual({
      format: 'human',
      level: 'warn',
    });
    expect(logSettings(defaults, {}, { terminal: false, preferences: quiet })).toEqual({
      format: 'json',
      level: 'info',
    });
    // --json: JSON lines on stderr even in a terminal, at the configured level.
    expect(
      logSettings(defaults, {}, { terminal: true, preferences: { verbose: false, json: true } }),
    ).toEqual({
      format: 'json',
      level: 'info',
    });
    expect(
      logSettings(defaults, {}, { terminal: true, preferences: { verbose: true, json: false } }),
    ).toEqual({
      format: 'human',
      level: 'info',
    });
    // MLOPS_LOG_LEVEL wins over both.
    const chosen = { logLevel: 'debug', logLevelSet: true };
    expect(logSettings(chosen, {}, { terminal: true, preferences: quiet })).toEqual({
      format: 'human',
      level: 'debug',
    });
    // A service's logs are its output: the configured level in a terminal too.
    expect(logSettings(defaults, { service: true }, { terminal: true, preferences: quiet })).toEqual({
      format: 'human',
      level: 'info',
    });
  });

  it('reads a JSON line as time, level, source, message and the other fields, errors by their message', () => {
    const line = JSON.stringify({
      level: 40,
      time: Date.UTC(2026, 11, 4, 12, 3, 44),
      pid: 7,
      command: 'run',
      component: 'workers',
      activity: 'train',
      attempt: 2,
      err: { type: 'Error', message: 'disk full', stack: 'Error: disk full\n    at ...' },
      msg: 'activity failed',
    });
    expect(humanLogLine(`${line}\n`, false)).toBe(
      '12:03:44 warn  [workers] activity failed  activity=train attempt=2 err="disk full"\n',
    );
    expect(humanLogLine(`${line}\n`, true)).toContain('\u001b[33mwarn \u001b[0m');
    expect(humanLogLine('not json\n', false)).toBe('not json\n');
  });
});
