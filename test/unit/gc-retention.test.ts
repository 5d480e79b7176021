import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/index.js';
import {
  artifactIdsLinkedToKept,
  busyPrefixes,
  decideVersionsAndRuns,
  isOrphan,
  retiredDatasetVersions,
  type RetentionPolicy,
  type RunFacts,
  type VersionFacts,
} from '../../cli/gc/retention.js';
import { isPlatformKey, sweptPrefixes } from '../../cli/gc/key-scope.js';

const day = 86_400_000;
const now = new Date('2026-12-01T00:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * day);
const sha = 'a'.repeat(64);
const policy: RetentionPolicy = { now, graceMs: day, artifactsMs: 30 * day };

const version = (id: number, overrides: Partial<VersionFacts> = {}): VersionFacts => ({
  id,
  modelName: 'penguins',
  version: id,
  status: 'rejected',
  createdAt: daysAgo(90),
  pipelineRunId: id,
  datasetVersionId: 1,
  modelArtifactId: 100 + id,
  reportArtifactId: 200 + id,
  ...overrides,
});
const run = (id: number, overrides: Partial<RunFacts> = {}): RunFacts => ({
  id,
  workflowId: `pipeline/penguins/${id}`,
  pipelineName: 'penguins',
  status: 'rejected',
  startedAt: daysAgo(91),
  finishedAt: daysAgo(90),
  ...overrides,
});
const none = new Set<number>();

describe('gc retention decisions', () => {
  it('keeps registered, aliased and recent versions and retires old rejected ones nobody serves', () => {
    const versions = [
      version(1, { status: 'registered' }),
      version(2),
      version(3),
      version(4, { createdAt: daysAgo(10) }),
    ];
    const decision = decideVersionsAndRuns(
      {
        versions,
        runs: versions.map((each) => run(each.id)),
        servedVersionIds: new Set([3]),
        linkedVersionIds: none,
      },
      policy,
    );
    expect([...decision.keptVersionIds].sort()).toEqual([1, 3, 4]);
    expect(decision.retiredVersions.map((each) => each.id)).toEqual([2]);
    // A run is kept with its version; the retired version's run is not.
    expect([...decision.keptRunIds].sort()).toEqual([1, 3, 4]);
  });

  it('keeps every version and run while the artifact retention is off', () => {
    const decision = decideVersionsAndRuns(
      { versions: [version(1)], runs: [run(1)], servedVersionIds: none, linkedVersionIds: none },
      { ...policy, artifactsMs: null },
    );
    expect(decision.retiredVersions).toEqual([]);
    expect([...decision.keptRunIds]).toEqual([1]);
  });

  it('never retires a version of a run still in flight, nor one younger than the grace', () => {
    const decision = decideVersionsAndRuns(
      {
        versions: [version(1), version(2, { createdAt: new Date(now.getTime() - 3600_000) })],
        runs: [run(1, { status: 'running', finishedAt: null }), run(2)],
        servedVersionIds: none,
        linkedVersionIds: none,
      },
      { ...policy, artifactsMs: 0 },
    );
    expect(decision.retiredVersions).toEqual([]);
  });

  it('leaves versions already archived with nothing linked out of the plan, so a second run finds nothing', () => {
    const archived = version(1, {
      status: 'archived',
      modelArtifactId: null,
      reportArtifactId: null,
      datasetVersionId: null,
    });
    const decision = decideVersionsAndRuns(
      { versions: [archived], runs: [run(1)], servedVersionIds: none, linkedVersionIds: none },
      policy,
    );
    expect(decision.retiredVersions).toEqual([]);
  });

  it("with --model, keeps every other model's versions and runs", () => {
    const other = version(2, { modelName: 'flights' });
    const decision = decideVersionsAndRuns(
      {
        versions: [version(1), other],
        runs: [run(1), run(2, { pipelineName: 'flights' })],
        servedVersionIds: none,
        linkedVersionIds: none,
      },
      { ...policy, model: 'penguins' },
    );
    expect(decision.retiredVersions.map((each) => each.id)).toEqual([1]);
    expect([...decision.keptVersionIds]).toEqual([2]);
  });

  it('deletes old dataset versions only when no kept version trained on them and nothing kept names them', () => {
    const datasetVersions = [1, 2, 3, 4, 5].map((id) => ({
      id,
      datasetName: 'penguins',
      uri: `s3://mlops/datasets/penguins/${String(id).repeat(64)}.parquet`,
      bytes: 10,
      createdAt: id === 5 ? daysAgo(1) : daysAgo(90),
    }));
    const retired = retiredDatasetVersions(
      {
        datasetVersions,
        versions: [version(1, { datasetVersionId: 1 })],
        edges: [{ fromKind: 'dataset_version', fromId: 2, toKind: 'model_version', toId: 1 }],
        keptVersionIds: new Set([1]),
        referencedUris: new Set([datasetVersions[2].uri]),
        busyPrefixes: [],
        bucket: 'mlops',
      },
      policy,
    );
    // 1: the champion's dataset; 2: linked as trained_on; 3: a kept run names it; 5: recent.
    expect(retired.map((dataset) => dataset.id)).toEqual([4]);
  });

  it('keeps artifacts linked to kept nodes, through artifact-to-artifact edges too', () => {
    const kept = artifactIdsLinkedToKept(
      [
        { fromKind: 'artifact', fromId: 10, toKind: 'model_version', toId: 1 },
        { fromKind: 'artifact', fromId: 11, toKind: 'model_version', toId: 2 },
        { fromKind: 'artifact', fromId: 12, toKind: 'artifact', toId: 10 },
      ],
      (kind, id) => kind === 'model_version' && id === 1,
    );
    expect([...kept].sort()).toEqual([10, 12]);
  });

  it("recognizes only keys the platform writes, never a user's raw data or trainer code", () => {
    expect(isPlatformKey(`datasets/penguins/${sha}.parquet`)).toBe(true);
    expect(isPlatformKey(`models/penguins/files/${sha}.onnx`)).toBe(true);
    expect(isPlatformKey(`checkpoints/penguins/${sha}.json`)).toBe(true);
    expect(isPlatformKey('reports/penguins/3/report.html')).toBe(true);
    expect(isPlatformKey('datasets/raw/penguins.csv')).toBe(false);
    expect(isPlatformKey(`datasets/my data/${sha}.parquet`)).toBe(false);
    expect(isPlatformKey(`code/penguins/${sha}.tar.gz`)).toBe(false);
    expect(isPlatformKey(`elsewhere/${sha}.json`)).toBe(false);
  });

  it('treats an object as an orphan only when unnamed, older than the grace and outside running pipelines', () => {
    const key = `checkpoints/penguins/${sha}.json`;
    const context = { namedUris: new Set<string>(), bucket: 'mlops', busyPrefixes: [] };
    const old = { key, bytes: 5, lastModified: daysAgo(2) };
    expect(isOrphan(old, context, policy)).toBe(true);
    expect(isOrphan({ ...old, lastModified: new Date(now.getTime() - 60_000) }, context, policy)).toBe(false);
    expect(isOrphan(old, { ...context, namedUris: new Set([`s3://mlops/${key}`]) }, policy)).toBe(false);
    const busy = busyPrefixes([run(1, { status: 'running', finishedAt: null })]);
    expect(isOrphan(old, { ...context, busyPrefixes: busy }, policy)).toBe(false);
    expect(
      isOrphan(
        { ...old, key: `checkpoints/flights/${sha}.json` },
        { ...context, busyPrefixes: busy },
        policy,
      ),
    ).toBe(true);
  });

  it("lists only the model's own prefixes with --model", () => {
    expect(sweptPrefixes('penguins')).toContain('models/penguins/');
    expect(sweptPrefixes('penguins')).toContain('datasets/penguins-production/');
    expect(sweptPrefixes('penguins').every((prefix) => /\/penguins(-production)?\/$/.test(prefix))).toBe(
      true,
    );
    expect(sweptPrefixes(undefined)).toContain('validation/');
  });
});

describe('gc configuration', () => {
  it('reads the grace and the retention periods, with retention off and a 24 h grace by default', () => {
    expect(loadConfig({}).retention).toEqual({ graceMs: day, predictionLogsMs: null, artifactsMs: null });
    expect(
      loadConfig({ MLOPS_GC_GRACE: '0s', MLOPS_PREDICTION_RETENTION: '90d', MLOPS_ARTIFACT_RETENTION: '36h' })
        .retention,
    ).toEqual({ graceMs: 0, predictionLogsMs: 90 * day, artifactsMs: 36 * 3_600_000 });
    expect(loadConfig({ MLOPS_ARTIFACT_RETENTION: 'off' }).retention.artifactsMs).toBeNull();
  });

  it('refuses a period it cannot read, and a grace that is off', () => {
    expect(() => loadConfig({ MLOPS_PREDICTION_RETENTION: 'soon' })).toThrow(ConfigError);
    expect(() => loadConfig({ MLOPS_GC_GRACE: 'off' })).toThrow(/MLOPS_GC_GRACE/);
  });
});
