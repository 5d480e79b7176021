import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSmokePipeline } from '../../client/smoke.js';
import { pipelineRuns, stageRuns } from '../../db/schema.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

describe('worker pools', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    // Two GPUs declared on a machine without any: the GPU pool runs with device indices 0 and 1.
    platform = await startTestPlatform({ pools: ['cpu', 'gpu'], env: { MLOPS_GPUS: '2' } });
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('routes stages to the CPU and GPU pools, giving each GPU activity a device of its own', async () => {
    const folds = 4;
    const run = await runSmokePipeline(platform.client.temporal, {
      taskQueues: platform.pools.taskQueues,
      useGpu: true,
      folds,
      // Long enough that the four folds contend for the two devices.
      minFoldDurationMs: 400,
    });
    const { result } = run;

    expect(platform.pools.gpuDevices).toEqual([0, 1]);
    expect(result.prepareWorker).toBe(platform.pools.identities.cpu);
    expect(result.prepareWorker).toMatch(/\/cpu\/\d+$/);
    expect(result.folds).toHaveLength(folds);
    for (const fold of result.folds) {
      expect(fold.workerIdentity).toBe(platform.pools.identities.gpu);
      expect([0, 1]).toContain(fold.gpuDevice);
      expect(fold.slope).toBeCloseTo(3, 1);
      expect(fold.intercept).toBeCloseTo(2, 1);
    }
    // No two folds that ran at the same time held the same device, and never more than two at once.
    for (const a of result.folds) {
      const overlapping = result.folds.filter(
        (b) => b !== a && b.startedAt < a.finishedAt && a.startedAt < b.finishedAt,
      );
      expect(overlapping.length).toBeLessThanOrEqual(1);
      for (const b of overlapping) expect(b.gpuDevice).not.toBe(a.gpuDevice);
    }
    expect(new Set(result.folds.map((fold) => fold.gpuDevice)).size).toBe(2);

    // The database recorded the run, each stage with the identity and device of the worker that ran it.
    const [runRow] = await platform.database.db
      .select()
      .from(pipelineRuns)
      .where(eq(pipelineRuns.workflowId, run.workflowId));
    expect(runRow.status).toBe('succeeded');
    const stages = await platform.database.db
      .select()
      .from(stageRuns)
      .where(eq(stageRuns.pipelineRunId, runRow.id));
    expect(stages.map((stage) => stage.stage).sort()).toEqual([
      'fit-fold-0',
      'fit-fold-1',
      'fit-fold-2',
      'fit-fold-3',
      'prepare',
    ]);
    for (const stage of stages) {
      expect(stage.status).toBe('succeeded');
      expect(stage.workerIdentity).toBe(
        stage.stage === 'prepare' ? platform.pools.identities.cpu : platform.pools.identities.gpu,
      );
      if (stage.stage !== 'prepare') expect([0, 1]).toContain(stage.gpuDevice);
    }
  });
});
