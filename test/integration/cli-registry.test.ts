import { createHash, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../db/client.js';
import { addLineageEdge, upsertArtifact, type Artifact } from '../../db/queries/artifacts.js';
import { upsertDatasetVersion } from '../../db/queries/datasets.js';
import { registerModelVersion } from '../../db/queries/registry.js';
import { finishPipelineRun, upsertPipelineRun, upsertStageRun } from '../../db/queries/runs.js';
import type { LineageDocument } from '../../cli/models/lineage.js';
import type { ModelVersionDocument } from '../../cli/models/version-view.js';
import { artifactKeys } from '../../storage/artifact-store.js';
import { stackEnvironment, testArtifactStore, testConnections } from '../support/platform.js';
import { runMlops as mlops } from '../support/processes.js';
import { setAlias } from '../support/aliases.js';
import { exampleSpec } from '../support/pipeline.js';

const fakeSha = (label: string) => createHash('sha256').update(label).digest('hex');
/** Sums of the stages seeded below (energy rounded: it is a sum of floats). */
const seededTotals = { durationMs: 6000, cpuMs: 5400, energyJoules: 57.5 };
const rounded = ({ energyJoules, ...rest }: LineageDocument['totals']) => ({
  ...rest,
  energyJoules: Math.round(energyJoules * 1000) / 1000,
});

// Each test spawns its own CLI process and only reads what beforeAll seeded, so they run side by side.
describe.concurrent('mlops runs, models and lineage (read side of the registry)', () => {
  const name = `cli-${randomUUID().slice(0, 8)}`;
  const bucket = testConnections().s3.bucket;
  const reportHtml = `<!doctype html><html><body><h1>${name} v1</h1></body></html>`;
  const workflowIds = {
    first: `pipeline/${name}/first`,
    second: `pipeline/${name}/second`,
    reused: `pipeline/${name}/reused`,
  };
  const datasetSha256 = fakeSha(`${name} snapshot`);
  const ref = (label: string, extension = '.json') => ({
    uri: `s3://${bucket}/${label}/${name}/${fakeSha(`${name} ${label}`)}${extension}`,
    sha256: fakeSha(`${name} ${label}`),
    bytes: 2048,
  });
  const refs = {
    dataset: { ...ref('datasets', '.parquet'), sha256: datasetSha256 },
    trialModel: ref('trial-models'),
    model: ref('models'),
    evaluation: ref('evaluations'),
  };
  // [duration ms, CPU ms, energy J] per stage, started ten seconds apart in this order.
  const stages = [
    { stage: 'ingest', cost: [1200, 900, 3.5], outputs: { dataset: refs.dataset } },
    { stage: 'tune/trial-1/train', cost: [800, 700, 8.4], outputs: { model: refs.trialModel } },
    { stage: 'train', attempt: 2, gpuDevice: 0, cost: [4000, 3800, 45.6], outputs: { model: refs.model } },
    { stage: 'evaluate', cacheHit: true, cost: [0, 0, 0], outputs: { evaluation: refs.evaluation } },
  ];
  let database: DatabaseHandle;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let report: Artifact;

  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'mlops-cli-registry-'));
    env = { ...stackEnvironment(), MLOPS_HOME: home };
    database = connectDatabase(testConnections().databaseUrl, { maxConnections: 2 });
    const db = database.db;
    const store = testArtifactStore();
    const storedReport = await store.put(`${artifactKeys.report(name, 1)}/report.html`, reportHtml);
    store.client.destroy();
    report = await upsertArtifact(db, { ...storedReport, kind: 'report' });
    await upsertArtifact(db, { ...refs.dataset, kind: 'dataset' });
    await upsertArtifact(db, { ...refs.trialModel, kind: 'model' });
    const model = await upsertArtifact(db, { ...refs.model, kind: 'model' });
    const evaluation = await upsertArtifact(db, { ...refs.evaluation, kind: 'evaluation' });
    const dataset = await upsertDatasetVersion(db, {
      datasetName: name,
      ...refs.dataset,
      rows: 342,
      schema: { columns: [] },
      source: { kind: 'ingest', uri: './penguins.json' },
    });
    const spec = exampleSpec('penguins.yaml', { name, evaluation: { primaryMetric: 'accuracy', gates: [] } });
    const run = { runId: randomUUID(), pipelineName: name, spec, codeVersion: 'abc1234' };
    const start = (workflowId: string) => upsertPipelineRun(db, { ...run, workflowId });

    const first = await start(workflowIds.first);
    const startedAt = Date.now() - 60_000;
    for (const [order, { stage, cost, outputs, attempt, gpuDevice, cacheHit }] of stages.entries()) {
      const [durationMs, cpuMs, energyJoules] = cost;
      await upsertStageRun(db, {
        pipelineRunId: first.id,
        stage,
        status: 'succeeded',
        attempt: attempt ?? 1,
        workerIdentity: gpuDevice === undefined ? 'test-host/cpu/7' : 'test-host/gpu/8',
        gpuDevice: gpuDevice ?? null,
        cacheHit: cacheHit ?? false,
        outputs,
        startedAt: new Date(startedAt + order * 10_000),
        finishedAt: new Date(startedAt + order * 10_000 + durationMs),
        durationMs,
        cpuMs,
        peakRssBytes: 200 * 1024 * 1024,
        energyJoules,
      });
    }
    await finishPipelineRun(db, first, { status: 'succeeded' });
    const { version: v1 } = await registerModelVersion(db, name, 'multiclass', {
      registrationKey: workflowIds.first,
      status: 'registered',
      pipelineRunId: first.id,
      datasetVersionId: dataset.id,
      modelArtifactId: model.id,
      reportArtifactId: report.id,
      metrics: { accuracy: 0.97, f1: 0.96 },
      primaryMetric: 'accuracy',
      params: { trainer: 'logistic_regression', l2: 0.001, seed: 42 },
      fairness: { demographic_parity_difference: 0.05 },
      gates: [{ name: 'accuracy', passed: true, value: 0.97, threshold: 0.9, bound: 'min' }],
      codeVersion: 'abc1234',
      runtime: { node: 'v22.0.0' },
    });
    const version = { kind: 'model_version' as const, id: v1.id };
    await addLineageEdge(db, { kind: 'dataset_version', id: dataset.id }, version, 'trained_on');
    await addLineageEdge(db, { kind: 'artifact', id: model.id }, version, 'model_file');
    await addLineageEdge(db, { kind: 'artifact', id: evaluation.id }, version, 'evaluation');
    await setAlias(db, v1, 'champion');

    const second = await start(workflowIds.second);
    await finishPipelineRun(db, second, { status: 'rejected' });
    await registerModelVersion(db, name, 'multiclass', {
      registrationKey: workflowIds.second,
      status: 'rejected',
      pipelineRunId: second.id,
      datasetVersionId: dataset.id,
      metrics: { accuracy: 0.5 },
      rejectionReasons: ['accuracy 0.5000 is below the gate minimum 0.9'],
      primaryMetric: 'accuracy',
      codeVersion: 'abc1234',
    });

    // An identical later run: every stage cached, its register stage answered with v1.
    const reused = await start(workflowIds.reused);
    await upsertStageRun(db, {
      pipelineRunId: reused.id,
      stage: 'register',
      status: 'succeeded',
      attempt: 1,
      workerIdentity: 'test-host/cpu/7',
      outputs: {
        modelVersionId: v1.id,
        version: v1.version,
        created: false,
        promoted: false,
        reportUri: null,
      },
      startedAt: new Date(),
      finishedAt: new Date(),
      durationMs: 12,
      cpuMs: 10,
      energyJoules: 0.1,
    });
    await finishPipelineRun(db, reused, { status: 'succeeded' });
  });

  afterAll(async () => {
    await database?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('lists the pipeline runs newest first with the model version each produced', async ({ expect }) => {
    const result = await mlops(['runs', 'list', '--pipeline', name, '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.json<{ runs: unknown[] }>().runs).toMatchObject([
      { workflowId: workflowIds.reused, status: 'succeeded', model: { name, version: 1, reused: true } },
      { workflowId: workflowIds.second, status: 'rejected', model: { name, version: 2, reused: false } },
      { workflowId: workflowIds.first, status: 'succeeded', model: { name, version: 1, reused: false } },
    ]);
    const text = await mlops(['runs', 'list', '--pipeline', name], env);
    expect(text.stdout).toMatch(new RegExp(`${workflowIds.reused} .* ${name} v1 \\(reused\\)`));
  });

  it('shows one run with its stages and resource totals', async ({ expect }) => {
    const result = await mlops(['runs', 'show', workflowIds.first, '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const run = result.json<Pick<LineageDocument, 'stages' | 'totals'>>();
    expect(run).toMatchObject({ workflowId: workflowIds.first, status: 'succeeded', progress: null });
    expect(run.stages.map((stage) => stage.stage)).toEqual(stages.map((entry) => entry.stage));
    expect(rounded(run.totals)).toEqual(seededTotals);
  });

  it('lists the model with its version count, latest version and champion', async ({ expect }) => {
    const result = await mlops(['models', 'list', '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const { models } = result.json<{ models: { name: string }[] }>();
    const model = models.find((entry) => entry.name === name);
    expect(model).toMatchObject({ task: 'multiclass', versions: 2, latestVersion: 2, championVersion: 1 });
  });

  it('says in words that a model has no lifecycle yet before any promotion', async ({ expect }) => {
    const text = await mlops(['models', 'status', name], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toBe(
      `${name}: no promotion, rollback or canary yet (its lifecycle starts with the first: \`mlops models promote ${name}@<version>\`, or a run with deploy.promote); \`mlops models list\` shows the registered models\n`,
    );
    const json = await mlops(['models', 'status', name, '--json'], env);
    expect(json.json()).toEqual({ modelName: name, lifecycle: null });
  });

  it('shows the versions of a model: status, primary metric, champion', async ({ expect }) => {
    const result = await mlops(['models', 'show', name, '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.json<{ versions: unknown[] }>().versions).toMatchObject([
      { version: 2, status: 'rejected', champion: false, primaryMetric: { name: 'accuracy', value: 0.5 } },
      { version: 1, status: 'registered', champion: true, primaryMetric: { name: 'accuracy', value: 0.97 } },
    ]);
  });

  it('shows one version in detail and fetches its report to a file a person can open', async ({ expect }) => {
    const result = await mlops(['models', 'show', `${name}@1`, '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.json<ModelVersionDocument>()).toMatchObject({
      name,
      version: 1,
      status: 'registered',
      aliases: ['champion'],
      metrics: { accuracy: 0.97 },
      fairness: { demographic_parity_difference: 0.05 },
      gates: [{ name: 'accuracy', passed: true }],
      params: { trainer: 'logistic_regression', l2: 0.001 },
      datasetVersion: { name, sha256: datasetSha256, rows: 342 },
      codeVersion: 'abc1234',
      runtime: { node: 'v22.0.0' },
      report: { uri: report.uri, path: path.join(home, 'reports', `${name}-v1.html`) },
    });
    expect(await readFile(path.join(home, 'reports', `${name}-v1.html`), 'utf8')).toBe(reportHtml);
  });

  it('saves a report and prints its path; --open hands it to the desktop opener or says there is none', async ({
    expect,
  }) => {
    const saved = path.join(home, 'reports', `${name}-v1.html`);
    const result = await mlops(['models', 'report', `${name}@1`], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${saved}\n`);
    expect(await readFile(saved, 'utf8')).toBe(reportHtml);

    // A desktop: the opener gets the file (a stand-in `xdg-open` that records its argument).
    const bin = path.join(home, 'bin');
    const openedFile = path.join(home, 'opened.txt');
    await mkdir(bin, { recursive: true });
    await writeFile(path.join(bin, 'xdg-open'), `#!/bin/sh\necho "$1" > ${openedFile}\n`, { mode: 0o755 });
    const opened = await mlops(['models', 'report', `${name}@1`, '--open', '--json'], {
      ...env,
      PATH: `${bin}:${process.env.PATH}`,
    });
    expect(opened.code, opened.stderr).toBe(0);
    expect(opened.json()).toEqual({ model: `${name}@1`, uri: report.uri, path: saved, opened: true });
    await expect.poll(() => readFile(openedFile, 'utf8').catch(() => '')).toBe(`${saved}\n`);

    // A server: no opener, so it says so and where the file is.
    const headless = await mlops(['models', 'report', `${name}@1`, '--open'], { ...env, PATH: home });
    expect(headless.code, headless.stderr).toBe(0);
    expect(headless.stderr).toContain(`no \`xdg-open\` here to open it: open ${pathToFileURL(saved).href}`);

    const none = await mlops(['models', 'report', `${name}@2`], env);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`${name}@2 has no report yet`);
  });

  it('lists the rejection reasons of a rejected version', async ({ expect }) => {
    const result = await mlops(['models', 'show', `${name}@v2`, '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.json<ModelVersionDocument>()).toMatchObject({
      status: 'rejected',
      rejectionReasons: ['accuracy 0.5000 is below the gate minimum 0.9'],
      report: null,
    });
  });

  it('prints the lineage of a version as the JSON contract', async ({ expect }) => {
    const result = await mlops(['lineage', `${name}@1`, '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const lineage = result.json<LineageDocument>();
    expect(lineage).toMatchObject({
      model: { name, version: 1 },
      pipelineRun: { workflowId: workflowIds.first },
      datasetVersions: [{ name, uri: refs.dataset.uri, sha256: datasetSha256, rows: 342 }],
      codeVersion: 'abc1234',
      params: { trainer: 'logistic_regression', l2: 0.001, seed: 42 },
    });
    expect(lineage.stages[2]).toMatchObject({
      stage: 'train',
      status: 'succeeded',
      attempts: 2,
      worker: 'test-host/gpu/8',
      cacheHit: false,
      durationMs: 4000,
      cpuMs: 3800,
      peakRssBytes: 200 * 1024 * 1024,
      energyJoules: 45.6,
      startedAt: expect.any(String),
      finishedAt: expect.any(String),
      inputs: {},
      outputs: { model: refs.model },
    });
    expect(lineage.stages[3]).toMatchObject({ stage: 'evaluate', cacheHit: true });
    expect(
      lineage.artifacts.map(({ kind, uri, relation, stage }) => ({ kind, uri, relation, stage })),
    ).toEqual([
      { kind: 'report', uri: report.uri, relation: 'report', stage: null },
      { kind: 'dataset', uri: refs.dataset.uri, relation: 'trained_on', stage: 'ingest' },
      { kind: 'model', uri: refs.model.uri, relation: 'model_file', stage: 'train' },
      { kind: 'evaluation', uri: refs.evaluation.uri, relation: 'evaluation', stage: 'evaluate' },
      { kind: 'model', uri: refs.trialModel.uri, relation: null, stage: 'tune/trial-1/train' },
    ]);
    expect(lineage.artifacts[2]).toMatchObject({ sha256: refs.model.sha256, bytes: 2048 });
    expect(rounded(lineage.totals)).toEqual(seededTotals);
  });

  it('prints the lineage for people: dataset, stages, artifacts, params, totals', async ({ expect }) => {
    const result = await mlops(['lineage', `${name}@1`], env);
    expect(result.code, result.stderr).toBe(0);
    const text = result.stdout;
    expect(text).toContain(`${name} v1: registered [champion]`);
    expect(text).toContain(`${name}  ${refs.dataset.uri}\n    sha256 ${datasetSha256}  342 rows`);
    expect(text).toMatch(
      /train {2,}succeeded {2,}2 {2,}test-host\/gpu\/8 \(GPU 0\) {2,}miss {2,}4\.0 s {2,}3\.8 s {2,}200\.0 MiB {2,}45\.6 J/,
    );
    expect(text).toMatch(/evaluate {2,}succeeded {2,}1 {2,}test-host\/cpu\/7 {2,}hit /);
    expect(text).toMatch(
      new RegExp(`model {2,}from tune/trial-1/train {2,}${refs.trialModel.uri} {2,}2\\.0 KiB`),
    );
    expect(text).toContain('code version  abc1234');
    expect(text).toContain('params        l2=0.001 seed=42 trainer=logistic_regression');
    expect(text).toContain('totals        duration 6.0 s  CPU 5.4 s  energy 57.5 J (sum over 4 stage runs)');
  });

  it('refuses a malformed name@version as a usage error (exit 2)', async ({ expect }) => {
    const result = await mlops(['lineage', `${name}@latest`], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/the version must be a positive whole number, not "latest"/);
  });

  it('says clearly that a model or version does not exist (exit 1)', async ({ expect }) => {
    const unknownModel = await mlops(['models', 'show', `${name}-missing`, '--json'], env);
    expect(unknownModel.code).toBe(1);
    expect(unknownModel.stderr).toContain(`no model named "${name}-missing" is registered`);
    expect(unknownModel.stdout).toBe('');
    const unknownVersion = await mlops(['lineage', `${name}@9`], env);
    expect(unknownVersion.code).toBe(1);
    expect(unknownVersion.stderr).toContain(`${name} has no version 9; its versions are 1, 2`);
  });
});
