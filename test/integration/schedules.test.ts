import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPipelineRun } from '../../client/pipeline.js';
import { listSchedules, scheduleIdFor, upsertTrainingSchedule } from '../../client/schedules.js';
import { waitUntil } from '../../stack/processes.js';
import { exampleSpec } from '../support/pipeline.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

describe('training schedules', () => {
  let platform: TestPlatform;
  const spec = exampleSpec('penguins.yaml', { train: { trainer: 'logistic_regression' } });

  beforeAll(async () => {
    platform = await startTestPlatform({ pools: ['cpu'] });
  });

  afterAll(async () => {
    await platform.client.temporal.schedule
      .getHandle(scheduleIdFor(spec.name))
      .delete()
      .catch(() => undefined);
    await platform?.stop();
  });

  it(
    'creating a schedule twice keeps one (updated), and triggering it starts a training run',
    { timeout: 120_000 },
    async () => {
      const client = platform.client.temporal;
      const first = await upsertTrainingSchedule(client, spec, {
        cron: '0 3 * * *',
        taskQueues: platform.pools.taskQueues,
      });
      const second = await upsertTrainingSchedule(client, spec, {
        cron: '30 4 * * 1',
        overlap: 'skip',
        taskQueues: platform.pools.taskQueues,
      });
      expect([first.created, second.created]).toEqual([true, false]);
      const mine = (await listSchedules(client)).filter(
        (schedule) => schedule.scheduleId === scheduleIdFor(spec.name),
      );
      expect(mine).toHaveLength(1);
      const description = await client.schedule.getHandle(first.scheduleId).describe();
      expect(description.spec.calendars?.[0]).toMatchObject({
        hour: [{ start: 4, end: 4, step: 1 }],
        minute: [{ start: 30, end: 30, step: 1 }],
      });
      expect(description.policies.overlap).toBe('SKIP');

      await client.schedule.getHandle(first.scheduleId).trigger();
      const started = await waitUntil(
        'the triggered run',
        async () =>
          (await client.schedule.getHandle(first.scheduleId).describe()).info.recentActions[0]?.action
            .workflow,
        { timeoutMs: 30_000 },
      );
      const result = await getPipelineRun(client, started.workflowId, started.firstExecutionRunId).result();
      expect(result.status).toBe('succeeded');
      expect(result.workflowId).toMatch(new RegExp(`^pipeline/${spec.name}/scheduled`));
    },
  );
});
