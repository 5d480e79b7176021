import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { stackEnvironment, testClientForFile } from '../support/platform.js';
import { spawnMlops } from '../support/processes.js';

describe('mlops run', () => {
  const client = testClientForFile();

  it('starts a run talking to Temporal alone: it never connects to the database', async () => {
    // Workers elsewhere (none here) run it; this command only starts it, with a database it cannot reach.
    const taskQueue = `test-cli-run-${randomUUID().slice(0, 8)}`;
    const cli = spawnMlops(['run', 'examples/penguins.yaml', '--json'], {
      ...stackEnvironment(),
      DATABASE_URL: 'postgres://nobody:nothing@127.0.0.1:1/none',
      MLOPS_CPU_TASK_QUEUE: taskQueue,
    });
    const [code, output] = await Promise.all([cli.exited, cli.json]);
    expect(code, cli.stderr()).toBe(0);
    expect(output).toMatchObject({
      status: 'running',
      workflowId: expect.stringMatching(/^pipeline\/penguins-species\//),
    });
    const handle = client().temporal.workflow.getHandle(String(output.workflowId));
    expect((await handle.describe()).taskQueue).toBe(taskQueue);
    await handle.terminate('test: nobody runs it');
  });
});
