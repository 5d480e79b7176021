import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDriftWindowActivities } from '../../activities/loop/drift-window.js';
import type { DriftThresholds, DriftWindowOutput } from '../../contracts/loop-stages.js';
import { driftReports } from '../../db/schema.js';
import { eq } from 'drizzle-orm';
import { exampleSpec, runPipeline, versionsOf } from '../support/pipeline.js';
import {
  startTestPlatform,
  testActivityDependencies,
  testArtifactStore,
  type TestPlatform,
} from '../support/platform.js';
import { flightRows } from '../support/flights.js';
import { logPredictions, type Row } from '../support/predictions.js';

describe('drift statistics on logged predictions', () => {
  let platform: TestPlatform;
  let modelName: string;
  let versionId: number;
  const store = testArtifactStore();

  beforeAll(async () => {
    platform = await startTestPlatform({ pools: ['cpu'] });
    const spec = exampleSpec('flights-sample.yaml');
    modelName = spec.name;
    expect((await runPipeline(platform, spec)).status).toBe('succeeded');
    versionId = (await versionsOf(platform, modelName))[0].id;
  }, 180_000);

  afterAll(async () => {
    await platform?.stop();
    store.client.destroy();
  });

  const judgeWindow = async (rows: Row[], startMs: number, thresholds?: DriftThresholds) => {
    await logPredictions(platform.database.db, {
      modelVersionId: versionId,
      rows,
      target: 'delayed',
      at: new Date(startMs + 1000),
    });
    const activities = createDriftWindowActivities(testActivityDependencies(platform, store));
    const input = { modelName, windowStart: startMs, windowEnd: startMs + 2000, thresholds };
    return (await new MockActivityEnvironment().run(
      activities.computeDriftWindow,
      input,
    )) as DriftWindowOutput;
  };

  it('does not flag a fresh sample from the training distribution', async () => {
    const result = await judgeWindow(
      await flightRows(5000, `"date" < timestamp '2001-04-15'`, 11),
      Date.UTC(2030, 0, 1),
    );
    expect(result.rows).toBe(5000);
    expect(result.drifted).toBe(false);
    expect(result.maxPsi).toBeLessThan(0.1);
    const [stored] = await platform.database.db
      .select()
      .from(driftReports)
      .where(eq(driftReports.id, result.reportId!));
    expect(stored.drifted).toBe(false);
  });

  it('flags distance x 1.6 with a PSI above 0.25, and reports the live metric on labeled rows', async () => {
    const shifted = (await flightRows(5000, `"date" < timestamp '2001-04-15'`, 12)).map((row) => ({
      ...row,
      distance: Number(row.distance) * 1.6,
    }));
    const result = await judgeWindow(shifted, Date.UTC(2030, 0, 2));
    expect(result.driftedFeatures).toEqual(['distance']);
    // One feature of five: below the default dataset-level share (0.5) ...
    expect(result.drifted).toBe(false);
    expect(result.maxPsi).toBeGreaterThan(0.25);
    expect(result.labeled).toBe(5000);
    expect(result.liveMetric?.name).toBe('auc');
    expect(result.liveMetric?.value).toBeGreaterThan(0.5);
    expect(result.liveMetric?.testValue).toBeGreaterThan(0.6);

    // ... and above a share of 0.2, when the thresholds say so.
    const strict = await judgeWindow(shifted.slice(0, 4000), Date.UTC(2030, 0, 3), {
      psiModerate: 0.1,
      psiSignificant: 0.25,
      jensenShannon: 0.1,
      wasserstein: 0.1,
      datasetDriftShare: 0.2,
    });
    expect(strict.drifted).toBe(true);
  });
});
