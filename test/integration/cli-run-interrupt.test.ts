import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../stack/processes.js';
import { killableTrainingSpec, quickPenguinsSpec } from '../support/pipeline.js';
import { stackEnvironment, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { spawnMlops, type SpawnedCommand } from '../support/processes.js';

/** `mlops run --wait` and Ctrl-C (SIGINT), and the stage list it ends on. */
describe('mlops run --wait', () => {
  let platform: TestPlatform;
  let folder: string;

  beforeAll(async () => {
    platform = await startTestPlatform({ pools: ['cpu'] });
    folder = await mkdtemp(path.join(path.resolve('.mlops'), 'interrupt-'));
  });

  afterAll(async () => {
    await platform?.stop();
    await rm(folder, { recursive: true, force: true });
  });

  const runWait = async (spec: unknown, extra: string[], taskQueue = platform.pools.taskQueues.cpu) => {
    const file = path.join(folder, `${randomUUID()}.yaml`);
    await writeFile(file, stringify(spec));
    return spawnMlops(['run', file, '--wait', ...extra], {
      ...stackEnvironment(),
      MLOPS_CPU_TASK_QUEUE: taskQueue,
    });
  };
  const startedId = async (cli: SpawnedCommand) =>
    (await waitUntil('the run to start', async () => /started (pipeline\/\S+)/.exec(cli.stderr())?.[1], {
      timeoutMs: 60_000,
    }))!;

  it('ends on every stage with its final state and elapsed time', async () => {
    const cli = await runWait(quickPenguinsSpec(), []);
    expect(await cli.exited, cli.stderr()).toBe(0);
    const table = cli.stderr().slice(cli.stderr().indexOf('stage '));
    expect(table.split('\n')[0]).toMatch(/^stage\s+status\s+elapsed\s+detail$/);
    for (const stage of [
      'ingest',
      'validate',
      'deidentify',
      'split',
      'train',
      'evaluate',
      'gate',
      'register',
    ])
      expect(table).toMatch(
        new RegExp(`^${stage}\\s+succeeded(?: \\(cached\\))?\\s+\\d+(?:\\.\\d+)? (?:ms|s)`, 'm'),
      );
    expect(table).toMatch(/^tune\s+skipped\s+-\s+no train\.search in the spec$/m);
  });

  it('detaches on Ctrl-C when told to, saying so, and the run goes on', async () => {
    // Nobody polls this queue: the run waits at its first stage for as long as the test needs.
    const cli = await runWait(
      quickPenguinsSpec(),
      ['--on-interrupt', 'detach'],
      `test-nobody-${randomUUID().slice(0, 8)}`,
    );
    const workflowId = await startedId(cli);
    cli.child.kill('SIGINT');
    expect(await cli.exited, cli.stderr()).toBe(130);
    expect(cli.stderr()).toContain(`detached: ${workflowId} goes on (\`mlops runs show ${workflowId}\``);
    const handle = platform.client.temporal.workflow.getHandle(workflowId);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await handle.terminate('test: detached on purpose');
  });

  it('cancels on Ctrl-C when told to, and ends on the cancelled run', async () => {
    // --no-cache: another file may have trained this very spec to the end, and a cached training
    // would end the run before the Ctrl-C, with no handler left to take it.
    const cli = await runWait(killableTrainingSpec(), ['--on-interrupt', 'cancel', '--no-cache']);
    const workflowId = await startedId(cli);
    await waitUntil('training to start', async () => / train /.test(cli.stderr()) || undefined, {
      timeoutMs: 120_000,
    });
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toContain(`cancelling ${workflowId}: it stops at its next heartbeat`);
    const described = await platform.client.temporal.workflow.getHandle(workflowId).describe();
    expect(described.status.name).toBe('CANCELLED');
  });
});
