import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelLoopClient } from '../../client/loop.js';
import { datasetVersions, lineageEdges } from '../../db/schema.js';
import { waitUntil } from '../../stack/processes.js';
import type { PipelineSpec } from '../../spec/types.js';
import { exampleSpec, runPipeline, versionsOf } from '../support/pipeline.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { expectRunsMatching } from '../support/visibility.js';
import { logPredictions, penguinRows, type Row } from '../support/predictions.js';

const shifted = (rows: Row[]) =>
  rows.map((row) => ({
    ...row,
    // 1.4: within the spec's bound of 10,000 g, so the retraining data passes validation.
    'Body Mass (g)': Number(row['Body Mass (g)']) * 1.4,
    'Flipper Length (mm)': Number(row['Flipper Length (mm)']) * 1.6,
    'Beak Length (mm)': Number(row['Beak Length (mm)']) * 1.6,
  }));

describe('model monitor', () => {
  let platform: TestPlatform;
  let loop: ModelLoopClient;
  let spec: PipelineSpec;
  let traffic: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    platform = await startTestPlatform({ pools: ['cpu'] });
    loop = new ModelLoopClient(platform.client.temporal, platform.pools.taskQueues);
    spec = exampleSpec('penguins.yaml', { train: { trainer: 'logistic_regression', params: { l2: 0.001 } } });
    expect((await runPipeline(platform, spec)).status).toBe('succeeded');
  }, 120_000);

  afterAll(async () => {
    clearInterval(traffic);
    await loop?.stopMonitor(spec.name).catch(() => undefined);
    await platform?.stop();
  });

  it(
    'retrains once per drift episode on production data, respects its cooldown, and pauses and resumes',
    { timeout: 180_000 },
    async () => {
      const [champion] = await versionsOf(platform, spec.name);
      // Every third penguin: all three species (the file is sorted by species).
      const rows = shifted(penguinRows());
      // Drifted, labeled traffic keeps arriving, as serving and feedback would log it.
      traffic = setInterval(
        () =>
          void logPredictions(platform.database.db, {
            modelVersionId: champion.id,
            rows: rows.filter((_, index) => index % 3 === 0),
            target: 'Species',
          }),
        400,
      );
      await loop.startMonitor(spec.name, {
        intervalSeconds: 2,
        minRows: 50,
        minLabels: 50,
        driftWindows: 2,
        // Only drift may start a retrain here (the shifted inputs also make live accuracy drop).
        metricDrop: 1,
        cooldownSeconds: 3600,
        includeTrainingData: true,
        canary: { bakeSeconds: 2, checkIntervalSeconds: 1, minLabels: 10 },
      });
      await expect(loop.setMonitorPolicy(spec.name, { driftWindows: -1 })).rejects.toThrow(
        /driftWindows must be a positive number/,
      );

      const retrained = await waitUntil(
        'the retraining run to finish',
        async () => {
          const status = await loop.monitorStatus(spec.name);
          return status.retrains[0]?.finishedAt ? status : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 500 },
      );
      expect(retrained.retrains[0]).toMatchObject({ status: 'succeeded', version: 2 });
      expect(retrained.retrains[0].reason).toMatch(/drift in 2 consecutive windows/);
      // The README's saved view "retrains this week" finds it (and only it: the first run was a test's).
      const weekAgo = new Date(Date.now() - 7 * 24 * 3600 * 1000).toISOString();
      await expectRunsMatching(
        platform.client.temporal,
        `MlopsModel = "${spec.name}" AND MlopsTrigger = "monitor" AND StartTime > "${weekAgo}"`,
        [retrained.retrains[0].workflowId],
      );

      // The new version learned from a dataset made of logged predictions, served by version 1.
      const [v2] = (await versionsOf(platform, spec.name)).filter((version) => version.version === 2);
      const [served] = await platform.database.db
        .select({ dataset: datasetVersions })
        .from(lineageEdges)
        .innerJoin(datasetVersions, eq(lineageEdges.toId, datasetVersions.id))
        .where(
          and(
            eq(lineageEdges.fromKind, 'model_version'),
            eq(lineageEdges.fromId, champion.id),
            eq(lineageEdges.relation, 'served_predictions'),
          ),
        );
      expect(served.dataset.source).toMatchObject({ kind: 'predictions', model: spec.name });
      expect(v2.status).toBe('registered');

      // Drift goes on, but the cooldown holds: still one retrain after more windows.
      const windowsThen = retrained.windows.length;
      const later = await waitUntil(
        'three more windows',
        async () => {
          const status = await loop.monitorStatus(spec.name);
          return status.windows.length >= windowsThen + 3 ? status : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      );
      expect(later.retrains).toHaveLength(1);
      expect(later.windows.at(-1)?.action).toMatch(/^cooldown: /);

      await loop.pauseMonitor(spec.name);
      await waitUntil('the pause', async () => (await loop.monitorStatus(spec.name)).paused, {
        timeoutMs: 10_000,
      });
      const pausedAt = (await loop.monitorStatus(spec.name)).windows.length;
      await new Promise((resolve) => setTimeout(resolve, 5000));
      expect((await loop.monitorStatus(spec.name)).windows.length).toBeLessThanOrEqual(pausedAt + 1);
      await loop.resumeMonitor(spec.name);
      await waitUntil(
        'windows again',
        async () => (await loop.monitorStatus(spec.name)).windows.length >= pausedAt + 2,
        { timeoutMs: 20_000 },
      );
    },
  );
});
