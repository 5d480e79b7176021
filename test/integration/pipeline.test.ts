import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAliasedVersion } from '../../db/queries/registry.js';
import { datasets, datasetVersions, pipelineRuns, stageRuns } from '../../db/schema.js';
import { exampleSpec, runPipeline, stageRunsOf, versionsOf } from '../support/pipeline.js';
import {
  stackEnvironment,
  startTestPlatform,
  testArtifactStore,
  type TestPlatform,
} from '../support/platform.js';
import { spawnMlops } from '../support/processes.js';
import { currentDetailsOf, expectRunsMatching } from '../support/visibility.js';

describe('training pipeline', () => {
  let platform: TestPlatform;
  const store = testArtifactStore();

  beforeAll(async () => {
    platform = await startTestPlatform({ pools: ['cpu'] });
  });

  afterAll(async () => {
    await platform?.stop();
    store.client.destroy();
  });

  it('trains, evaluates, registers and promotes the penguins model, with lineage from the S3 snapshot', async () => {
    const spec = exampleSpec('penguins.yaml');
    const result = await runPipeline(platform, spec);

    expect(result.status).toBe('succeeded');
    expect(result.metrics.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(result.model).toEqual({ name: spec.name, version: 1 });
    expect(result.promoted).toBe(true);
    expect(result.gates.every((gate) => gate.passed)).toBe(true);
    expect((await findAliasedVersion(platform.database.db, spec.name, 'champion'))?.version).toBe(1);

    // Lineage: the model version points at a dataset version whose S3 object hashes to its sha256.
    const [version] = await versionsOf(platform, spec.name);
    const [dataset] = await platform.database.db
      .select()
      .from(datasetVersions)
      .where(eq(datasetVersions.id, version.datasetVersionId!));
    const bytes = await store.getBuffer(store.keyOf(dataset.uri));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(dataset.sha256);
    expect(dataset.rows).toBeGreaterThan(300);

    // Every stage ran once, on a worker of the pool, and the tuning trials were recorded.
    const [run] = await platform.database.db
      .select()
      .from(pipelineRuns)
      .where(eq(pipelineRuns.workflowId, result.workflowId));
    const stages = await platform.database.db
      .select()
      .from(stageRuns)
      .where(eq(stageRuns.pipelineRunId, run.id));
    const names = stages.map((stage) => stage.stage);
    for (const stage of [
      'ingest',
      'validate',
      'deidentify',
      'split',
      'train',
      'evaluate',
      'register',
      'report',
    ])
      expect(names).toContain(stage);
    expect(names.filter((name) => /^tune\/trial-\d+\/train$/.test(name))).toHaveLength(3);
    for (const stage of stages)
      expect(stage).toMatchObject({
        status: 'succeeded',
        attempt: 1,
        workerIdentity: platform.pools.identities.cpu,
      });

    // The report exists where the result says.
    expect(result.reportUri).toMatch(/^s3:\/\/.+\/reports\/.+\/1\/report\.html$/);
    const report = (await store.getBuffer(store.keyOf(result.reportUri!))).toString('utf8');
    expect(report).toContain(spec.name);
    expect(report).toContain('<svg');
    // It lists its own stage as this report (never "running"), the inputs as training held them
    // and the version's artifacts by URI.
    expect(report).toMatch(/<td>report<\/td><td><span class="badge badge-neutral">this report<\/span>/);
    expect(report).not.toContain('>running<');
    expect(report).toMatch(/<code>Flipper Length \(mm\)<\/code><\/td><td>numeric<\/td><td>[\d.]+ to [\d.]+/);
    expect(report).toContain('id="chart-precision-recall"');
    expect(report).toContain(`<code class="wrap">${dataset.uri}</code>`);
    expect(report).toMatch(/<td>model file<\/td><td><code class="wrap">s3:\/\//);
  });

  it('runs the same spec twice without the cache: one dataset version, two model versions, the second judged against the first', async () => {
    const spec = exampleSpec('penguins.yaml', {
      train: { trainer: 'logistic_regression', params: { l2: 0.001 } },
    });
    const first = await runPipeline(platform, spec, { noCache: true });
    const second = await runPipeline(platform, spec, { noCache: true });

    expect([first.status, second.status]).toEqual(['succeeded', 'succeeded']);
    expect(first.cacheHits).toEqual([]);
    expect(second.cacheHits).toEqual([]);
    expect(second.model?.version).toBe(2);
    const championGate = second.gates.find((gate) => gate.name === 'champion:accuracy');
    expect(championGate).toMatchObject({
      passed: true,
      threshold: first.metrics.accuracy,
      note: 'champion v1',
    });

    const versions = await platform.database.db
      .select({ id: datasetVersions.id })
      .from(datasetVersions)
      .innerJoin(datasets, eq(datasetVersions.datasetId, datasets.id))
      .where(eq(datasets.name, spec.name));
    expect(versions).toHaveLength(1);
    expect((await versionsOf(platform, spec.name)).map((version) => version.version)).toEqual([1, 2]);

    // The report compares every headline metric with the champion's on the same test rows.
    const report = (await store.getBuffer(store.keyOf(second.reportUri!))).toString('utf8');
    const comparison = report.slice(report.indexOf('Compared with champion version 1'));
    for (const metric of ['Accuracy', 'Balanced accuracy', 'F1 (macro)', 'Log loss'])
      expect(comparison).toContain(`<td>${metric}</td>`);
  });

  it('reuses cached stages on an identical run, and rebuilds what was deleted from S3', async () => {
    // The stage cache is shared across pipelines (same data, recipe and code: same training), so
    // this test trains with params no other test uses: another file's identical training, under
    // its own name, would otherwise be a valid hit after this one's model file is deleted.
    const spec = exampleSpec('penguins.yaml', {
      train: { trainer: 'logistic_regression', params: { l2: 0.002 } },
    });
    const first = await runPipeline(platform, spec);
    const second = await runPipeline(platform, spec);

    expect(second.status).toBe('succeeded');
    expect(second.cacheHits).toEqual(['ingest', 'validate', 'deidentify', 'split', 'train', 'evaluate']);
    expect(second.model).toEqual(first.model);
    expect(await versionsOf(platform, spec.name)).toHaveLength(1);

    // A cached output that no longer exists is a miss, never a broken run.
    const trainedModel = async (workflowId: string) => {
      const [row] = await platform.database.db
        .select({ outputs: stageRuns.outputs })
        .from(stageRuns)
        .innerJoin(pipelineRuns, eq(stageRuns.pipelineRunId, pipelineRuns.id))
        .where(and(eq(pipelineRuns.workflowId, workflowId), eq(stageRuns.stage, 'train')));
      return (row.outputs as { model: { uri: string; sha256: string } }).model;
    };
    const cachedModel = await trainedModel(second.workflowId);
    await store.delete(store.keyOf(cachedModel.uri));
    const third = await runPipeline(platform, spec);
    expect(third.status).toBe('succeeded');
    // Training ran again and, being deterministic, rebuilt the very same bytes: so evaluating them is a hit.
    expect(third.cacheHits).toEqual(['ingest', 'validate', 'deidentify', 'split', 'evaluate']);
    const rebuilt = await trainedModel(third.workflowId);
    expect(rebuilt.sha256).toBe(cachedModel.sha256);
    expect(await store.exists(store.keyOf(rebuilt.uri))).toBe(true);
    expect(third.model?.version).toBe(2);

    // The champion (v1) was scored on this test part by the second run; the third reuses that score.
    const championStage = async (workflowId: string) =>
      (await stageRunsOf(platform.database.db, workflowId)).find((stage) => stage.stage === 'gate/champion');
    const scored = await championStage(second.workflowId);
    expect(scored).toMatchObject({ cacheHit: false, params: { champion: 1 } });
    expect(await championStage(third.workflowId)).toMatchObject({ cacheHit: true, outputs: scored?.outputs });
  });

  it('rejects a version that fails a gate: exit code 3, registered as rejected with its reasons, never promoted', async () => {
    const spec = exampleSpec('penguins.yaml', {
      train: { trainer: 'logistic_regression', params: { l2: 0.001 } },
      evaluation: { primaryMetric: 'accuracy', gates: [{ metric: 'accuracy', min: 1.01 }] },
    });
    const folder = await mkdtemp(path.join(path.resolve('.mlops'), 'spec-'));
    const specPath = path.join(folder, 'impossible.yaml');
    await writeFile(specPath, stringify(spec));
    const cli = spawnMlops(['run', specPath, '--wait', '--json'], {
      ...stackEnvironment(),
      MLOPS_CPU_TASK_QUEUE: platform.pools.taskQueues.cpu,
    });
    const [code, output] = await Promise.all([cli.exited, cli.json]);
    await rm(folder, { recursive: true, force: true });

    expect(code).toBe(3);
    expect(output).toMatchObject({
      status: 'rejected',
      promoted: false,
      model: { name: spec.name, version: 1 },
    });
    const [version] = await versionsOf(platform, spec.name);
    expect(version.status).toBe('rejected');
    expect(version.rejectionReasons?.[0]).toMatch(/^accuracy = 0\.\d+, required >= 1\.01$/);
    expect(await findAliasedVersion(platform.database.db, spec.name, 'champion')).toBeUndefined();
    // Visibly rejected in the Temporal UI: found by MlopsStatus (and what started it), its current
    // details giving the reasons.
    const { workflowId } = output as { workflowId: string };
    await expectRunsMatching(
      platform.client.temporal,
      `MlopsModel = "${spec.name}" AND MlopsStatus = "rejected" AND MlopsTrigger = "cli"`,
      [workflowId],
    );
    expect(await currentDetailsOf(platform.client.temporal, workflowId)).toMatch(
      /^\*\*rejected\*\*: accuracy = 0\.\d+, required >= 1\.01 \(version 1, not promoted\)$/,
    );
  });
});
