import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelLoopClient } from '../../client/loop.js';
import { servedVersions } from '../../db/queries/deployments.js';
import { auditEvents, pipelineRuns } from '../../db/schema.js';
import type { PipelineSpec } from '../../spec/types.js';
import { exampleSpec, runPipeline, versionsOf } from '../support/pipeline.js';
import { stackEnvironment, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { spawnMlops } from '../support/processes.js';

/**
 * What a pipeline's `deploy.promote` does: the model's lifecycle workflow moves the champion, so
 * it knows every champion there was (rollback goes to the right one), and gates are judged per run.
 */
describe('promotion from a pipeline', () => {
  let platform: TestPlatform;
  let loop: ModelLoopClient;
  const serving = (name: string) => servedVersions(platform.database.db, name);

  beforeAll(async () => {
    platform = await startTestPlatform({ pools: ['cpu'] });
    loop = new ModelLoopClient(platform.client.temporal, platform.pools.taskQueues);
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('goes through the running lifecycle workflow, so `mlops models rollback` returns to the champion before', async () => {
    const spec = exampleSpec('penguins.yaml', {
      train: { trainer: 'logistic_regression', params: { l2: 0.001 } },
      evaluation: { primaryMetric: 'accuracy', gates: [], compareToChampion: false },
      deploy: { promote: true },
    });
    const first = await runPipeline(platform, spec);
    expect(first).toMatchObject({ status: 'succeeded', promoted: true, model: { version: 1 } });
    expect(first.promotion?.reason).toBe('v1 is the champion');
    // The lifecycle workflow runs now (the promotion started it) and has v1 as its champion.
    expect((await loop.lifecycleStatus(spec.name)).champion).toBe(1);

    const second = await runPipeline(platform, spec, { noCache: true });
    expect(second).toMatchObject({ status: 'succeeded', promoted: true, model: { version: 2 } });
    expect(second.promotion?.reason).toBe('v2 is the champion (it was v1)');
    const status = await loop.lifecycleStatus(spec.name);
    expect(status.champion).toBe(2);
    expect(status.transitions.map((transition) => [transition.action, transition.toVersion])).toEqual([
      ['promote', 1],
      ['promote', 2],
    ]);
    expect(status.transitions[1].actor).toBe(`pipeline ${second.workflowId}`);

    const rollback = spawnMlops(['models', 'rollback', spec.name, '--json', '--reason', 'test'], {
      ...stackEnvironment(),
      MLOPS_CPU_TASK_QUEUE: platform.pools.taskQueues.cpu,
    });
    const [code, output] = await Promise.all([rollback.exited, rollback.json]);
    expect(code, rollback.stderr()).toBe(0);
    expect(output).toMatchObject({ action: 'rollback', fromVersion: 2, toVersion: 1 });
    expect((await serving(spec.name)).champion).toBe(1);

    // Each move is audited once, by the lifecycle workflow.
    const events = await platform.database.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.subject, spec.name));
    const moves = events.filter((event) => ['promote', 'rollback'].includes(event.action));
    expect(moves.map((event) => [event.action, (event.after as { champion: number }).champion])).toEqual([
      ['promote', 1],
      ['promote', 2],
      ['rollback', 1],
    ]);
  });

  it('judges gates per run: a version rejected by one run is registered anew, and promoted, by a run whose gates it passes', async () => {
    const withFairnessGate = (max: number): PipelineSpec =>
      ({
        ...base,
        evaluation: { ...base.evaluation, gates: [{ fairness: 'demographic_parity_difference', max }] },
      }) as PipelineSpec;
    const base = exampleSpec('penguins.yaml', {
      train: { trainer: 'logistic_regression', params: { l2: 0.001 } },
      evaluation: { primaryMetric: 'accuracy', gates: [], compareToChampion: false },
      deploy: { promote: true },
    });

    const strict = await runPipeline(platform, withFairnessGate(0.000001));
    expect(strict).toMatchObject({ status: 'rejected', promoted: false, model: { version: 1 } });
    expect(strict.promotion?.reason).toMatch(
      /^not promoted: 1 gate\(s\) failed \(demographic_parity_difference = /,
    );

    // Same data and trainer: every stage is a cache hit, yet this run's relaxed gate passes.
    const relaxed = await runPipeline(platform, withFairnessGate(1));
    expect(relaxed.cacheHits).toEqual(expect.arrayContaining(['train', 'evaluate']));
    expect(relaxed).toMatchObject({ status: 'succeeded', promoted: true, model: { version: 2 } });
    expect((await serving(base.name)).champion).toBe(2);

    // Strict again: the version judged the same way (rejected) is the answer, not a third copy.
    const strictAgain = await runPipeline(platform, withFairnessGate(0.000001));
    expect(strictAgain).toMatchObject({ status: 'rejected', promoted: false, model: { version: 1 } });

    const versions = await versionsOf(platform, base.name);
    expect(versions.map((version) => [version.version, version.status])).toEqual([
      [1, 'rejected'],
      [2, 'registered'],
    ]);
    // A run's status and the status of the version it answers with never contradict each other.
    const runs = await platform.database.db
      .select()
      .from(pipelineRuns)
      .where(eq(pipelineRuns.pipelineName, base.name));
    const statusOf = (workflowId: string) => runs.find((run) => run.workflowId === workflowId)?.status;
    expect([strict, relaxed, strictAgain].map((run) => statusOf(run.workflowId))).toEqual([
      'rejected',
      'succeeded',
      'rejected',
    ]);
  });

  it('says why a run that asked for promotion was not promoted while a canary runs', async () => {
    const spec = exampleSpec('penguins.yaml', {
      train: { trainer: 'logistic_regression', params: { l2: 0.001 } },
      evaluation: { primaryMetric: 'accuracy', gates: [], compareToChampion: false },
      deploy: { promote: true },
    });
    expect((await runPipeline(platform, spec)).promoted).toBe(true);
    const challenger = await runPipeline(
      platform,
      { ...spec, deploy: { promote: false } },
      { noCache: true },
    );
    expect(challenger.promotion?.reason).toMatch(/deploy\.promote is not set/);
    await loop.challenge(spec.name, {
      version: 2,
      actor: 'test',
      canary: { share: 0.5, bakeSeconds: 600, minLabels: 1_000_000, checkIntervalSeconds: 600 },
    });
    await expect
      .poll(async () => (await loop.lifecycleStatus(spec.name)).canary?.challengerVersion, {
        timeout: 30_000,
      })
      .toBe(2);

    const refused = await runPipeline(platform, spec, { noCache: true });
    expect(refused).toMatchObject({ status: 'succeeded', promoted: false, model: { version: 3 } });
    expect(refused.promotion?.reason).toMatch(
      /^not promoted: the lifecycle workflow of .* refused it: a canary of v2 is running/,
    );
    expect((await serving(spec.name)).champion).toBe(1);
  });
});
