import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quickPenguinsSpec, runPipeline } from '../support/pipeline.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

/**
 * A pipeline's promoteStage holds an activity slot while the model's lifecycle workflow applies the
 * promotion. With the lifecycle's serving changes on the task queue, a worker whose every slot held
 * a waiting promotion never ran them (10 pipelines at once on two 4-slot workers hung for good);
 * they are local activities now. One slot is the smallest such worker.
 */
describe('promotion on a worker with one activity slot', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform({ pools: ['cpu'], env: { MLOPS_CPU_ACTIVITY_SLOTS: '1' } });
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it(
    'promotes: the lifecycle does not wait for the slot the promotion holds',
    { timeout: 120_000 },
    async () => {
      const result = await runPipeline(platform, quickPenguinsSpec(), { noCache: true });
      expect(result).toMatchObject({ status: 'succeeded', promoted: true, model: { version: 1 } });
    },
  );
});
