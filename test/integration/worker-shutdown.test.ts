import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, type PlatformClient } from '../../client/connect.js';
import { loadConfig } from '../../config/index.js';
import { connectDatabase, type DatabaseHandle } from '../../db/client.js';
import { pipelineRuns, stageRuns } from '../../db/schema.js';
import { waitUntil } from '../../scripts/stack/processes.js';
import { smokePipelineWorkflow, smokeWorkflowId } from '../../workflows/smoke.js';
import { stackEnvironment, testConnections } from '../support/platform.js';
import { spawnMlops, type SpawnedCommand } from '../support/processes.js';

describe('worker process shutdown', () => {
  const taskQueue = `test-shutdown-${randomUUID().slice(0, 8)}`;
  const env = {
    ...stackEnvironment(),
    MLOPS_CPU_TASK_QUEUE: taskQueue,
    MLOPS_GPUS: 'none',
    MLOPS_SHUTDOWN_GRACE: '30s',
  };
  const workers: SpawnedCommand[] = [];
  let client: PlatformClient;
  let database: DatabaseHandle;

  beforeAll(async () => {
    client = await connectClient(loadConfig({}), testConnections());
    database = connectDatabase(testConnections().databaseUrl, { maxConnections: 2 });
  });

  afterAll(async () => {
    for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await client?.close();
    await database?.close();
  });

  it('on SIGTERM stops polling but lets the running activity finish, and another worker completes the run', async () => {
    const first = spawnMlops(['worker', '--pool', 'cpu'], env);
    workers.push(first);
    const handle = await client.temporal.workflow.start(smokePipelineWorkflow, {
      workflowId: smokeWorkflowId(randomUUID()),
      taskQueue,
      args: [
        {
          taskQueues: { cpu: taskQueue, gpu: taskQueue },
          useGpu: false,
          rows: 200,
          folds: 1,
          seed: 7,
          minFoldDurationMs: 4000,
        },
      ],
    });
    const fold = await waitUntil(
      'the fit fold to start',
      async () => {
        const [row] = await database.db
          .select({ stage: stageRuns })
          .from(stageRuns)
          .innerJoin(pipelineRuns, eq(stageRuns.pipelineRunId, pipelineRuns.id))
          .where(and(eq(pipelineRuns.workflowId, handle.workflowId), eq(stageRuns.stage, 'fit-fold-0')));
        return row?.stage;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    expect(fold.status).toBe('running');
    expect(fold.workerIdentity).toMatch(new RegExp(`/cpu/${first.child.pid}$`));

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    // The activity finished during the grace period: one attempt, succeeded, by the first worker.
    const [finished] = await database.db.select().from(stageRuns).where(eq(stageRuns.id, fold.id));
    expect(finished).toMatchObject({ status: 'succeeded', attempt: 1, workerIdentity: fold.workerIdentity });

    const second = spawnMlops(['worker', '--pool', 'cpu'], env);
    workers.push(second);
    const result = await handle.result();
    expect(result.folds[0].workerIdentity).toBe(fold.workerIdentity);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
