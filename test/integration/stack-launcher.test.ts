import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { pythonEnvironment } from '../../activities/trainers/python-environment.js';
import { isAlive, waitUntil } from '../../stack/processes.js';
import { readState } from '../../stack/state.js';
import { probeTemporal } from '../../stack/temporal-server.js';
import { processesMentioning, spawnMlops, type SpawnedCommand } from '../support/processes.js';

/**
 * The launcher's own life cycle, through the real `mlops up` command in a home of its own (the
 * rest of the suite shares one stack; this file starts and kills several).
 */
describe('embedded stack launcher', () => {
  const home = path.resolve('.mlops/launcher-tests', randomUUID());
  const env = { MLOPS_HOME: home };
  const started: SpawnedCommand[] = [];
  const up = () => {
    const command = spawnMlops(['up', '--json'], env);
    started.push(command);
    return command;
  };
  const noneLeft = () =>
    waitUntil('every stack process to exit', async () => processesMentioning(home).length === 0, {
      timeoutMs: 30_000,
    });

  afterAll(async () => {
    for (const command of started) if (command.child.exitCode === null) command.child.kill('SIGKILL');
    for (const leftover of processesMentioning(home)) process.kill(leftover.pid, 'SIGKILL');
    // Where the checkout is closed to other users, PostgreSQL's data lives under the temp folder.
    const relocated = await readFile(path.join(home, 'postgres', 'DATA_LOCATION'), 'utf8').catch(
      () => undefined,
    );
    if (relocated) await rm(path.dirname(relocated.trim()), { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
  });

  // Longer than the suite's default: the first run on a machine builds the aws CLI's environment.
  it(
    'starts from nothing, is joined by a second `mlops up`, and leaves no process behind on SIGTERM',
    { timeout: 300_000 },
    async () => {
      const first = up();
      const firstSummary = (await first.json) as {
        stack: string;
        temporal: { address: string; ui: string };
        envFile: string;
      };
      expect(firstSummary.stack).toBe('started');
      expect(firstSummary.temporal.ui).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(firstSummary.temporal.ui)).ok).toBe(true);
      const envFile = await readFile(firstSummary.envFile, 'utf8');
      expect(envFile).toContain(`TEMPORAL_ADDRESS='${firstSummary.temporal.address}'`);
      expect(envFile).toMatch(/DATABASE_URL='postgres:\/\//);
      expect(envFile).toMatch(/S3_ENDPOINT='http:\/\/127\.0\.0\.1:\d+'/);
      expect(statSync(firstSummary.envFile).mode & 0o777).toBe(0o600);
      // It works for the tools people use, in a shell that has nothing else: psql (its PG*
      // variables), the aws CLI (AWS_ENDPOINT_URL_S3, signing with the stack's key pair) and the
      // temporal CLI.
      const aws = await pythonEnvironment('awscli==1.46.3\n', {
        log: () => undefined,
        signal: AbortSignal.timeout(10 * 60 * 1000),
      });
      const tools = spawnSync(
        'bash',
        [
          '-c',
          `set -a; . '${firstSummary.envFile}'; set +a
         psql -tAc 'select current_database()'
         psql -c 'select * from model_versions' > /dev/null && echo psql answers
         echo hello | aws s3 cp - "s3://$S3_BUCKET/tools-check.txt" > /dev/null && aws s3 ls "s3://$S3_BUCKET/" | grep -c tools-check.txt
         temporal workflow list > /dev/null && echo temporal answers`,
        ],
        {
          env: { PATH: `${aws.binDirectory}:${process.env.PATH}`, HOME: process.env.HOME },
          encoding: 'utf8',
          timeout: 120_000,
        },
      );
      expect(tools.stderr).toBe('');
      expect(tools.stdout).toBe('mlops\npsql answers\n1\ntemporal answers\n');
      const state = await readState(home);
      expect(state?.ownerPid).toBe(first.child.pid);

      const second = up();
      const secondSummary = (await second.json) as { stack: string; temporal: { address: string } };
      expect(secondSummary.stack).toBe('joined');
      expect(secondSummary.temporal.address).toBe(firstSummary.temporal.address);

      // The joiner leaving does not take the stack down.
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
      expect(await probeTemporal(firstSummary.temporal.address, 'default')).toBe(true);

      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      await noneLeft();
      for (const recorded of state?.processes ?? []) expect(isAlive(recorded.pid)).toBe(false);
      expect(existsSync(path.join(home, 'stack.json'))).toBe(false);
      expect(existsSync(path.join(home, 'env'))).toBe(false);
    },
  );

  it('recovers from a stale state file left by a killed stack, stopping what it left running', async () => {
    const crashed = up();
    await crashed.json;
    const state = await readState(home);
    const temporalHelper = state?.processes.find((recorded) => recorded.name === 'temporal helper');
    const temporalServer = state?.processes.find((recorded) => recorded.name === 'temporal');
    expect(temporalHelper && temporalServer).toBeTruthy();
    // Kill the owner and the helper that would have stopped the dev server: it is orphaned. The
    // helper is frozen first, or it could see the owner go and stop the server before it dies.
    process.kill(temporalHelper!.pid, 'SIGSTOP');
    crashed.child.kill('SIGKILL');
    await crashed.exited;
    process.kill(temporalHelper!.pid, 'SIGKILL');
    await waitUntil('the helper to die', async () => !isAlive(temporalHelper!.pid), { timeoutMs: 10_000 });
    expect(isAlive(temporalServer!.pid)).toBe(true);
    expect(existsSync(path.join(home, 'stack.json'))).toBe(true);

    const recovered = up();
    const summary = (await recovered.json) as { stack: string };
    expect(summary.stack).toBe('started');
    expect(isAlive(temporalServer!.pid)).toBe(false);
    expect((await readState(home))?.ownerPid).toBe(recovered.child.pid);

    recovered.child.kill('SIGTERM');
    expect(await recovered.exited).toBe(0);
    await noneLeft();
  });

  it('restarts a Temporal dev server or PostgreSQL that died, on the same state, and records the new pids', async () => {
    const owner = up();
    const summary = (await owner.json) as { temporal: { address: string } };
    const before = await readState(home);
    const pidOf = (state: typeof before, name: string) =>
      state?.processes.find((recorded) => recorded.name === name)?.pid;
    const connections = before!.connections;
    // Each service's pid as the state file has it when it is killed: a helper that restarted its
    // server a moment before (a server that died early, under load) has recorded the new one.
    const killed = new Map<string, number>();
    for (const name of ['temporal', 'postgres']) {
      const pid = await waitUntil(
        `${name} to be killed`,
        async () => {
          const recorded = pidOf(await readState(home), name);
          try {
            if (recorded !== undefined) process.kill(recorded, 'SIGKILL');
            return recorded;
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'ESRCH') return undefined;
            throw error;
          }
        },
        { timeoutMs: 30_000, intervalMs: 200 },
      );
      killed.set(name, pid);
    }

    const after = await waitUntil(
      'both services restarted',
      async () => {
        const state = await readState(home);
        const moved = ['temporal', 'postgres'].every((name) => {
          const pid = pidOf(state, name);
          return pid !== undefined && pid !== killed.get(name) && isAlive(pid);
        });
        return moved ? state : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(after.ownerPid).toBe(owner.child.pid);
    await waitUntil('Temporal to answer again', () => probeTemporal(summary.temporal.address, 'default'), {
      timeoutMs: 60_000,
    });
    await waitUntil(
      'PostgreSQL to answer again',
      async () => {
        const client = new pg.Client({
          connectionString: connections.databaseUrl,
          connectionTimeoutMillis: 2000,
        });
        try {
          await client.connect();
          return (await client.query('select 1 as one')).rows[0].one === 1;
        } catch {
          return false;
        } finally {
          await client.end().catch(() => undefined);
        }
      },
      { timeoutMs: 60_000 },
    );
    expect(await readFile(path.join(home, 'logs', 'postgres.log'), 'utf8')).toMatch(
      /\[supervisor\] postgres exited unexpectedly \(code null, signal SIGKILL\); restarting in 1 s/,
    );
    expect(await readFile(path.join(home, 'logs', 'temporal.log'), 'utf8')).toMatch(
      /\[supervisor\] .* exited unexpectedly/,
    );

    owner.child.kill('SIGTERM');
    expect(await owner.exited).toBe(0);
    await noneLeft();
  });
});
