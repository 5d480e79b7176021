import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { pipelineRuns, stageRuns } from '../../db/schema.js';
import { waitUntil } from '../../stack/processes.js';
import {
  smokePipelineWorkflowType,
  smokeWorkflowId,
  type SmokePipelineWorkflow,
} from '../../contracts/smoke.js';
import { useWorkerProcesses } from '../support/worker-processes.js';

describe('worker process shutdown', () => {
  const harness = useWorkerProcesses('shutdown', { MLOPS_SHUTDOWN_GRACE: '30s' });
  const { taskQueue } = harness;

  it('on SIGTERM stops polling but lets the running activity finish, and another worker completes the run', async () => {
    const first = harness.startWorker();
    const handle = await harness.client.temporal.workflow.start<SmokePipelineWorkflow>(
      smokePipelineWorkflowType,
      {
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
      },
    );
    const fold = await waitUntil(
      'the fit fold to start',
      async () => {
        const [row] = await harness.database.db
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
    const [finished] = await harness.database.db.select().from(stageRuns).where(eq(stageRuns.id, fold.id));
    expect(finished).toMatchObject({ status: 'succeeded', attempt: 1, workerIdentity: fold.workerIdentity });

    const second = harness.startWorker();
    const result = await handle.result();
    expect(result.folds[0].workerIdentity).toBe(fold.workerIdentity);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
