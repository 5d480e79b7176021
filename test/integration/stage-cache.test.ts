import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCachedStage } from '../../activities/stage-cache.js';
import { connectDatabase, type DatabaseHandle } from '../../db/client.js';
import { upsertPipelineRun } from '../../db/queries/runs.js';
import { stageRuns } from '../../db/schema.js';
import { exampleSpec } from '../support/pipeline.js';
import { activityDependenciesOn, testArtifactStore, testConnections } from '../support/platform.js';
import type { ActivityDependencies } from '../../activities/dependencies.js';

// The stage cache on the real database: what counts as a hit, and what a retried attempt reuses.
describe('stage cache', () => {
  let database: DatabaseHandle;
  const store = testArtifactStore();
  let deps: ActivityDependencies;

  beforeAll(() => {
    database = connectDatabase(testConnections().databaseUrl, { maxConnections: 2 });
    deps = activityDependenciesOn(database.db, store);
  });
  afterAll(async () => {
    await database?.close();
    store.client.destroy();
  });

  const newRun = async () =>
    (
      await upsertPipelineRun(database.db, {
        workflowId: `stage-cache-${randomUUID()}`,
        runId: randomUUID(),
        pipelineName: 'stage-cache',
        spec: exampleSpec('penguins.yaml'),
        codeVersion: 'test',
      })
    ).id;

  const stageRow = async (pipelineRunId: number, stage = 'train') =>
    (
      await database.db
        .select()
        .from(stageRuns)
        .where(and(eq(stageRuns.pipelineRunId, pipelineRunId), eq(stageRuns.stage, stage)))
    )[0];

  /** Runs `stage` of `pipelineRunId` through the cache as attempt `attempt`, counting the work done. */
  const cachedStage = (cacheKey: string) => {
    let works = 0;
    const work = async () => {
      works += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { value: 42 };
    };
    const options = { noCache: false, artifactsOf: () => [] };
    const run = (pipelineRunId: number, stage: string, attempt = 1) =>
      new MockActivityEnvironment({ attempt }).run(() =>
        runCachedStage(deps, { pipelineRunId, stage, cacheKey }, options, work),
      );
    return { run, works: () => works };
  };

  it("reports a hit only for another run's outputs; a retry of the same stage keeps its own record", async () => {
    const stage = cachedStage(randomUUID());
    const first = await newRun();
    expect(await stage.run(first, 'train')).toEqual({ outputs: { value: 42 }, cacheHit: false });
    const recorded = await stageRow(first);
    expect(recorded).toMatchObject({ status: 'succeeded', cacheHit: false });
    expect(recorded.durationMs).toBeGreaterThan(0);

    // Attempt 2 of the same stage (attempt 1's completion was lost): its work is reused, not done
    // again, and neither reported nor recorded as a cache hit.
    expect(await stage.run(first, 'train', 2)).toEqual({ outputs: { value: 42 }, cacheHit: false });
    expect(stage.works()).toBe(1);
    expect(await stageRow(first)).toMatchObject({ cacheHit: false, durationMs: recorded.durationMs });

    const second = await newRun();
    expect(await stage.run(second, 'train')).toEqual({ outputs: { value: 42 }, cacheHit: true });
    expect(stage.works()).toBe(1);
    expect(await stageRow(second)).toMatchObject({ status: 'succeeded', cacheHit: true });
  });

  it("reuses a tuning trial's work for the final training of the same run, and calls it no hit", async () => {
    const stage = cachedStage(randomUUID());
    const run = await newRun();
    await stage.run(run, 'tune/trial-1/train');
    expect(await stage.run(run, 'train')).toEqual({ outputs: { value: 42 }, cacheHit: false });
    expect(stage.works()).toBe(1);
    expect(await stageRow(run)).toMatchObject({
      status: 'succeeded',
      cacheHit: false,
      outputs: { value: 42 },
    });
  });
});
