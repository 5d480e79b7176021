import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelLoopClient } from '../../client/loop.js';
import { servedVersions } from '../../db/queries/deployments.js';
import { auditEvents } from '../../db/schema.js';
import { waitUntil } from '../../stack/processes.js';
import type { PipelineSpec } from '../../spec/types.js';
import { quickPenguinsSpec, runPipeline, versionsOf } from '../support/pipeline.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { logPredictions, penguinRows } from '../support/predictions.js';

/**
 * One penguins model with three versions: v1 good, v2 good, v3 a poor one (strong regularization
 * flattens its probabilities). Labeled traffic is written the way serving logs it.
 */
describe('model lifecycle', () => {
  let platform: TestPlatform;
  let loop: ModelLoopClient;
  let spec: PipelineSpec;
  const versionIds = new Map<number, number>();
  const actor = 'lifecycle test';

  beforeAll(async () => {
    platform = await startTestPlatform({ pools: ['cpu'] });
    loop = new ModelLoopClient(platform.client.temporal, platform.pools.taskQueues);
    spec = quickPenguinsSpec({
      evaluation: { primaryMetric: 'accuracy', gates: [] },
      deploy: { promote: false },
    });
    const poor = {
      ...spec,
      train: { ...spec.train, params: { l2: 1000, maxIterations: 3 } },
    } as PipelineSpec;
    for (const [run, options] of [
      [spec, { noCache: true }],
      [spec, { noCache: true }],
      [poor, {}],
    ] as const) {
      expect((await runPipeline(platform, run, options)).status).toBe('succeeded');
    }
    for (const version of await versionsOf(platform, spec.name)) versionIds.set(version.version, version.id);
  }, 240_000);

  afterAll(async () => {
    await platform?.stop();
  });

  const serving = () => servedVersions(platform.database.db, spec.name);
  const traffic = (version: number, rows = penguinRows()) =>
    logPredictions(platform.database.db, {
      modelVersionId: versionIds.get(version)!,
      rows,
      target: 'Species',
    });

  it('promotes and rolls back through one workflow, auditing each change, and serializes concurrent promotions', async () => {
    expect((await loop.promote(spec.name, { version: 1, actor })).champion).toBe(1);
    const concurrent = await Promise.all([
      loop.promote(spec.name, { version: 2, actor }),
      loop.promote(spec.name, { version: 3, actor }),
    ]);
    const [first, second] = concurrent.map((result) => result.transition).sort((a, b) => a.at - b.at);
    // Serialized: the second saw the first's result as its starting point.
    expect(second.fromVersion).toBe(first.toVersion);
    expect((await serving()).champion).toBe(second.toVersion);

    const rolledBack = await loop.rollback(spec.name, { actor, reason: 'test' });
    expect(rolledBack.champion).toBe(first.toVersion);
    expect((await serving()).champion).toBe(first.toVersion);
    await expect(loop.promote(spec.name, { version: 99, actor })).rejects.toThrow();
    await expect(loop.promote(spec.name, { version: first.toVersion!, actor })).rejects.toThrow();

    const events = await platform.database.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.subject, spec.name));
    const actions = events.map((event) => event.action);
    expect(actions.filter((action) => action === 'promote')).toHaveLength(3);
    expect(actions).toContain('rollback');
    const rollback = events.find((event) => event.action === 'rollback');
    expect(rollback?.before).toMatchObject({ champion: second.toVersion });
    expect(rollback?.after).toMatchObject({ champion: first.toVersion });
    await loop.promote(spec.name, { version: 1, actor }).catch(() => undefined);
  });

  it('promotes a canary whose live metric is better, and rolls back one that is worse', async () => {
    await loop.promote(spec.name, { version: 3, actor }).catch(() => undefined);
    expect((await serving()).champion).toBe(3);
    const canary = { share: 0.3, bakeSeconds: 60, minLabels: 30, checkIntervalSeconds: 1, minImprovement: 0 };

    // v2 (good) challenges v3 (poor): labels arrive for both during the bake.
    await loop.challenge(spec.name, { version: 2, actor, canary });
    await waitUntil('the canary to start', async () => (await serving()).challenger === 2, {
      timeoutMs: 30_000,
    });
    expect((await serving()).share).toBe(0.3);
    await traffic(3);
    await traffic(2);
    await waitUntil(
      'the canary to end',
      async () =>
        (await loop.lifecycleStatus(spec.name)).canary === null && (await serving()).challenger === null,
      { timeoutMs: 60_000 },
    );
    let status = await loop.lifecycleStatus(spec.name);
    expect(status.transitions.at(-1)).toMatchObject({ action: 'canary-promote', toVersion: 2 });
    expect((await serving()).champion).toBe(2);

    // v3 (poor) challenges v2 (good): the recent labeled traffic already shows it is worse.
    await loop.challenge(spec.name, {
      version: 3,
      actor,
      canary: { ...canary, comparisonWindowSeconds: 300 },
    });
    await waitUntil(
      'the offline comparison',
      async () =>
        (await loop.lifecycleStatus(spec.name)).transitions.at(-1)?.action === 'challenger-rejected',
      {
        timeoutMs: 30_000,
      },
    );
    expect((await serving()).challenger).toBeNull();

    // Without recent labels to judge by, it gets its canary, where its live metric is worse: rolled back.
    await loop.challenge(spec.name, {
      version: 3,
      actor,
      canary: { ...canary, comparisonWindowSeconds: 0.001 },
    });
    await waitUntil('the second canary to start', async () => (await serving()).challenger === 3, {
      timeoutMs: 30_000,
    });
    await traffic(2);
    await traffic(3);
    await waitUntil(
      'the second canary to end',
      async () =>
        (await loop.lifecycleStatus(spec.name)).canary === null && (await serving()).challenger === null,
      { timeoutMs: 60_000 },
    );
    status = await loop.lifecycleStatus(spec.name);
    expect(status.transitions.at(-1)).toMatchObject({ action: 'canary-rollback', toVersion: 2 });
    expect(status.transitions.at(-1)?.reason).toMatch(/worse/);
    expect((await serving()).champion).toBe(2);
  });

  it('takes the default action when nobody approves in time', async () => {
    expect((await serving()).champion).toBe(2);
    await loop.challenge(spec.name, {
      version: 1,
      actor,
      canary: {
        share: 0.2,
        bakeSeconds: 2,
        minLabels: 1_000_000,
        checkIntervalSeconds: 1,
        approval: { timeoutSeconds: 2, defaultAction: 'rollback' },
      },
    });
    const waiting = await waitUntil(
      'the approval request',
      async () => (await loop.lifecycleStatus(spec.name)).awaitingApproval ?? undefined,
      { timeoutMs: 30_000 },
    );
    expect(waiting.recommended).toBe('rollback');
    await waitUntil(
      'the default to be taken',
      async () => (await loop.lifecycleStatus(spec.name)).awaitingApproval === null,
      { timeoutMs: 30_000 },
    );
    const last = (await loop.lifecycleStatus(spec.name)).transitions.at(-1);
    expect(last).toMatchObject({ action: 'canary-rollback', toVersion: 2 });
    expect(last?.actor).toMatch(/no answer within 2s/);
  });
});
