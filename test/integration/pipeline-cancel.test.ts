import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline } from '../../client/pipeline.js';
import { pipelineRuns, stageRuns } from '../../db/schema.js';
import { waitUntil } from '../../stack/processes.js';
import { exampleSpec, versionsOf } from '../support/pipeline.js';
import { stackEnvironment, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { spawnMlops } from '../support/processes.js';

describe('a cancelled training run', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform({ pools: ['cpu'] });
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it(
    'is cancelled by `mlops runs cancel`, recorded as cancelled, stops training on the worker and registers nothing',
    { timeout: 120_000 },
    async () => {
      // Many boosting rounds: training is still running when the cancellation arrives.
      const spec = exampleSpec('flights-sample.yaml', {
        train: {
          trainer: 'gradient_boosting',
          params: { nEstimators: 3000, learningRate: 0.01, maxLeaves: 15, minSamplesLeaf: 20 },
        },
        evaluation: { primaryMetric: 'auc', gates: [] },
      });
      const run = await startPipeline(platform.client.temporal, spec, {
        taskQueues: platform.pools.taskQueues,
        noCache: true,
        trigger: 'test',
      });
      await waitUntil(
        'the train stage to start',
        async () => (await run.progress()).currentStage === 'train',
        { timeoutMs: 90_000, intervalMs: 100 },
      );
      const cancel = spawnMlops(['runs', 'cancel', run.workflowId, '--json'], stackEnvironment());
      expect(await cancel.json).toEqual({ workflowId: run.workflowId, status: 'cancelled' });
      expect(await cancel.exited, cancel.stderr()).toBe(0);

      const result = await run.result();
      expect(result).toMatchObject({ status: 'failed', model: null, error: { type: 'Cancelled' } });
      expect((await run.handle.describe()).status.name).toBe('CANCELLED');
      const [row] = await platform.database.db
        .select()
        .from(pipelineRuns)
        .where(eq(pipelineRuns.workflowId, run.workflowId));
      expect(row.status).toBe('cancelled');
      expect(row.finishedAt).not.toBeNull();
      expect(await run.progress()).toMatchObject({ status: 'cancelled', currentStage: null });
      // The worker heard the cancellation: training ended there, well before its 3000 rounds.
      const train = await waitUntil(
        'the worker to record the cancelled training',
        async () => {
          const stages = await platform.database.db
            .select()
            .from(stageRuns)
            .where(eq(stageRuns.pipelineRunId, row.id));
          return stages.find((stage) => stage.stage === 'train' && stage.status !== 'running');
        },
        { timeoutMs: 30_000, intervalMs: 100 },
      );
      expect(train).toMatchObject({ status: 'failed', error: { type: 'TrainingCancelledError' } });
      expect(await versionsOf(platform, spec.name)).toEqual([]);

      // A run that has ended has nothing to cancel.
      const again = spawnMlops(['runs', 'cancel', run.workflowId], stackEnvironment());
      expect(await again.exited).toBe(1);
      expect(again.stderr()).toContain('has already ended (cancelled); nothing to cancel');
    },
  );
});
