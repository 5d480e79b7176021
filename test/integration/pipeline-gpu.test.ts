import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline } from '../../client/pipeline.js';
import { createLogger } from '../../config/logger.js';
import { pipelineRuns, stageRuns } from '../../db/schema.js';
import { waitUntil } from '../../stack/processes.js';
import { startWorkerPools, type RunningPools } from '../../workers/pools.js';
import { exampleSpec } from '../support/pipeline.js';
import { startTestPlatform, testConnections, type TestPlatform } from '../support/platform.js';

describe('training on the GPU pool', () => {
  let platform: TestPlatform;
  let gpuPool: RunningPools | undefined;

  beforeAll(async () => {
    platform = await startTestPlatform({ pools: ['cpu'], env: { MLOPS_GPUS: '1' } });
  });

  afterAll(async () => {
    await gpuPool?.shutdown();
    await platform?.stop();
  });

  it(
    'says it is waiting when no worker polls the GPU queue, then trains there once one does',
    { timeout: 120_000 },
    async () => {
      const spec = exampleSpec('penguins.yaml', {
        train: { trainer: 'logistic_regression', resources: { gpu: 1 } },
      });
      const run = await startPipeline(platform.client.temporal, spec, {
        taskQueues: platform.pools.taskQueues,
        trigger: 'test',
      });

      const waiting = await waitUntil(
        'the run to report the missing GPU worker',
        async () => (await run.progress()).waitingFor ?? undefined,
        {
          timeoutMs: 60_000,
          intervalMs: 250,
        },
      );
      expect(waiting).toContain(`no worker polls ${platform.pools.taskQueues.gpu}`);
      expect(waiting).toContain('mlops worker --pool gpu');

      gpuPool = await startWorkerPools({
        config: platform.config,
        connections: testConnections(),
        pools: ['gpu'],
        log: createLogger('warn'),
      });
      const result = await run.result();
      expect(result.status).toBe('succeeded');
      expect((await run.progress()).waitingFor).toBeNull();

      const [pipelineRun] = await platform.database.db
        .select()
        .from(pipelineRuns)
        .where(eq(pipelineRuns.workflowId, run.workflowId));
      const [train] = (
        await platform.database.db.select().from(stageRuns).where(eq(stageRuns.pipelineRunId, pipelineRun.id))
      ).filter((stage) => stage.stage === 'train');
      expect(train.workerIdentity).toBe(gpuPool.identities.gpu);
      expect(train.gpuDevice).toBe(0);
    },
  );
});
