import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LineageDocument } from '../../cli/models/lineage.js';
import { upsertArtifact } from '../../db/queries/artifacts.js';
import { upsertDatasetVersion } from '../../db/queries/datasets.js';
import {
  artifacts,
  datasetVersions,
  labelFeedback,
  modelVersions,
  pipelineRuns,
  predictionLogs,
} from '../../db/schema.js';
import { artifactKeys, type ArtifactStore } from '../../storage/artifact-store.js';
import {
  stackEnvironment,
  startTestPlatform,
  testArtifactStore,
  type TestPlatform,
} from '../support/platform.js';
import { quickPenguinsSpec, runPipeline, versionsOf } from '../support/pipeline.js';
import { logPredictions, penguinRows } from '../support/predictions.js';
import { runMlops as mlops } from '../support/processes.js';

interface GcDocument {
  dryRun: boolean;
  model: string | null;
  modelVersions: { count: number; sample: string[] };
  datasetVersions: { count: number; bytes: number; sample: string[] };
  artifacts: { count: number; bytes: number; sample: string[] };
  orphans: { count: number; bytes: number; sample: string[] };
  objects: {
    count: number;
    bytes: number;
    sample: string[];
    verifiedGone: number | null;
    stillPresent: string[];
  };
  predictionLogs: { before: string | null; count: number };
}

const sha256Of = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);

// The test stack is shared with other files: every gc here runs with --model, so it can only reach
// this file's model (its rows, its runs and its key prefixes), and the object another model's
// prefix holds must survive it.
describe('mlops gc (retention of artifacts, dataset versions and prediction logs)', () => {
  const name = `gc-${randomUUID().slice(0, 8)}`;
  let platform: TestPlatform;
  let store: ArtifactStore;
  let home: string;
  let env: NodeJS.ProcessEnv;
  const keyOf = (uri: string) => store.keyOf(uri);
  let orphanKey: string;
  let otherModelOrphanKey: string;
  let oldDatasetUri: string;
  let champion: LineageDocument;
  let rejectedLineage: LineageDocument;
  let rejectedVersionId: number;
  let championVersionId: number;

  beforeAll(async () => {
    platform = await startTestPlatform();
    store = testArtifactStore();
    home = await mkdtemp(path.join(os.tmpdir(), 'mlops-gc-'));
    env = {
      ...stackEnvironment(),
      MLOPS_HOME: home,
      // No grace: the orphans below were just written; --model keeps other tests' fresh uploads out of reach.
      MLOPS_GC_GRACE: '0s',
      MLOPS_ARTIFACT_RETENTION: '30d',
      MLOPS_PREDICTION_RETENTION: '7d',
    };
    const db = platform.database.db;
    // v1: rejected by a gate nothing passes, with its own parameters (its own model file and report).
    const rejected = await runPipeline(
      platform,
      quickPenguinsSpec({
        name,
        train: { trainer: 'logistic_regression', params: { l2: 0.5 } },
        evaluation: { primaryMetric: 'accuracy', gates: [{ metric: 'accuracy', min: 1.01 }] },
      }),
    );
    expect(rejected.status).toBe('rejected');
    // v2: the champion.
    const promoted = await runPipeline(platform, quickPenguinsSpec({ name }));
    expect(promoted.status).toBe('succeeded');
    expect(promoted.promoted).toBe(true);
    const [v1, v2] = await versionsOf(platform, name);
    rejectedVersionId = v1.id;
    championVersionId = v2.id;

    // Time moves: the rejected version and its run are two months old.
    await db
      .update(modelVersions)
      .set({ createdAt: daysAgo(60) })
      .where(eq(modelVersions.id, v1.id));
    await db
      .update(pipelineRuns)
      .set({ startedAt: daysAgo(60), finishedAt: daysAgo(60) })
      .where(eq(pipelineRuns.workflowId, rejected.workflowId));
    // An old dataset version nothing trained on, and old and recent prediction logs of the champion.
    const parquet = await store.putContentAddressed(
      artifactKeys.dataset(name),
      '.parquet',
      `old snapshot ${name}`,
    );
    oldDatasetUri = parquet.uri;
    const old = await upsertDatasetVersion(db, {
      datasetName: name,
      sha256: parquet.sha256,
      uri: parquet.uri,
      rows: 1,
      bytes: parquet.bytes,
      schema: { columns: [] },
      source: { kind: 'test' },
    });
    await upsertArtifact(db, { ...parquet, kind: 'dataset' });
    await db
      .update(datasetVersions)
      .set({ createdAt: daysAgo(60) })
      .where(eq(datasetVersions.id, old.id));
    const rows = penguinRows();
    await logPredictions(db, {
      modelVersionId: v2.id,
      rows: rows.slice(0, 20),
      target: 'Species',
      at: daysAgo(30),
    });
    await logPredictions(db, { modelVersionId: v2.id, rows: rows.slice(20, 30), target: 'Species' });
    // Orphans: a checkpoint of a run that died (no row names it), and one under another model's prefix.
    orphanKey = (
      await store.putContentAddressed(artifactKeys.checkpoint(name), '.json', `{"orphan":"${name}"}`)
    ).key;
    otherModelOrphanKey = (
      await store.putContentAddressed(
        artifactKeys.checkpoint(`${name}-other`),
        '.json',
        `{"other":"${name}"}`,
      )
    ).key;

    const lineage = await mlops(['lineage', `${name}@2`, '--json'], env);
    expect(lineage.code, lineage.stderr).toBe(0);
    champion = lineage.json<LineageDocument>();
    rejectedLineage = (await mlops(['lineage', `${name}@1`, '--json'], env)).json<LineageDocument>();
  }, 300_000);

  afterAll(async () => {
    store?.client.destroy();
    await platform?.stop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  const championKeys = () => [...new Set(champion.artifacts.map((artifact) => keyOf(artifact.uri)))];
  const logsOfChampion = async () => {
    const [row] = await platform.database.db
      .select({ count: sql<number>`count(*)::int` })
      .from(predictionLogs)
      .where(eq(predictionLogs.modelVersionId, championVersionId));
    return row.count;
  };
  /** The rejected version's own files (its lineage less what it shares with the champion), the old snapshot, the orphan. */
  const expectedKeys = () => {
    const kept = new Set(championKeys());
    const own = rejectedLineage.artifacts
      .map((artifact) => keyOf(artifact.uri))
      .filter((key) => !kept.has(key));
    return [...new Set([...own, keyOf(oldDatasetUri), orphanKey])].sort();
  };
  let planned: GcDocument;

  it('--dry-run reports the rejected version, the old dataset version, the orphans and old prediction logs, and changes nothing', async () => {
    const dry = await mlops(['gc', '--model', name, '--dry-run', '--json'], env);
    expect(dry.code, dry.stderr).toBe(0);
    planned = dry.json<GcDocument>();
    expect(planned.dryRun).toBe(true);
    expect(planned.modelVersions).toEqual({ count: 1, sample: [`${name}@1`] });
    expect(planned.datasetVersions.sample).toEqual([oldDatasetUri]);
    expect(planned.orphans.sample).toContain(orphanKey);
    expect(planned.predictionLogs.count).toBe(20);
    const doomed = planned.objects.sample;
    expect(planned.objects.count).toBe(doomed.length); // fewer than a sample's 20: the whole list
    expect(doomed).toEqual(expect.arrayContaining(expectedKeys()));
    expect(expectedKeys()).toEqual(expect.arrayContaining([orphanKey, keyOf(oldDatasetUri)]));
    expect(expectedKeys().some((key) => key.startsWith(`models/${name}/files/`))).toBe(true);
    expect(expectedKeys()).toContain(`reports/${name}/1/report.html`);
    // Beyond those, only objects no row names under the model's own prefixes: the rejected run's
    // training curve (its stage outputs, no longer kept, were all that named it).
    for (const key of doomed.filter((each) => !expectedKeys().includes(each))) {
      expect(planned.orphans.sample).toContain(key);
      expect(key.startsWith(`curves/${name}/`) || key.startsWith(`checkpoints/${name}/`), key).toBe(true);
    }
    expect(doomed).not.toContain(otherModelOrphanKey);
    expect(doomed.filter((key) => championKeys().includes(key))).toEqual([]);
    // Nothing changed.
    for (const key of doomed) expect(await store.exists(key)).toBe(true);
    const [v1] = await versionsOf(platform, name);
    expect(v1.status).toBe('rejected');
    expect(v1.modelArtifactId).not.toBeNull();
    expect(await logsOfChampion()).toBe(30);
  });

  it('deletes exactly what the dry run listed, rows first, checks each object is gone, and keeps the champion whole', async () => {
    const run = await mlops(['gc', '--model', name, '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    const done = run.json<GcDocument>();
    expect(done.dryRun).toBe(false);
    expect(done.objects.sample.sort()).toEqual([...planned.objects.sample].sort());
    expect(done.objects.count).toBe(planned.objects.count);
    expect(done.objects.bytes).toBe(planned.objects.bytes);
    expect(done.objects.verifiedGone).toBe(planned.objects.count);
    expect(done.objects.stillPresent).toEqual([]);
    for (const key of done.objects.sample) expect(await store.exists(key)).toBe(false);

    // The champion's lineage: every object there, with the sha256 its row records.
    for (const artifact of champion.artifacts) {
      const bytes = await store.getBuffer(keyOf(artifact.uri));
      expect(sha256Of(bytes), artifact.uri).toBe(artifact.sha256);
    }
    const after = await mlops(['lineage', `${name}@2`, '--json'], env);
    expect(after.json<LineageDocument>().artifacts).toEqual(champion.artifacts);
    expect(await store.exists(otherModelOrphanKey)).toBe(true);

    // The rejected version stays as a record, archived, its links cut; no row names a deleted object.
    const [v1] = await versionsOf(platform, name);
    expect(v1).toMatchObject({
      id: rejectedVersionId,
      status: 'archived',
      modelArtifactId: null,
      reportArtifactId: null,
    });
    expect(v1.rejectionReasons?.length).toBeGreaterThan(0);
    const db = platform.database.db;
    for (const key of done.objects.sample) {
      const uri = store.uriFor(key);
      expect(await db.select().from(artifacts).where(eq(artifacts.uri, uri))).toEqual([]);
      expect(await db.select().from(datasetVersions).where(eq(datasetVersions.uri, uri))).toEqual([]);
    }
    // Old prediction logs went with their labels; the recent ones stay.
    expect(await logsOfChampion()).toBe(10);
    const orphanedLabels = await db.execute(
      sql`select count(*)::int as count from ${labelFeedback} f left join ${predictionLogs} p on p.prediction_id = f.prediction_id where p.id is null`,
    );
    expect(orphanedLabels.rows[0]).toEqual({ count: 0 });

    const audit = await mlops(['audit', '--subject-kind', 'storage', '--limit', '1000', '--json'], env);
    const events = audit
      .json<{ events: { action: string; reason: string | null; after: Record<string, number> }[] }>()
      .events.filter((event) => event.reason === `--model ${name}`);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'gc', after: { modelVersions: 1, predictionLogs: 20 } });
  });

  it('finds nothing on a second run', async () => {
    const again = await mlops(['gc', '--model', name, '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    const document = again.json<GcDocument>();
    expect(document.modelVersions.count).toBe(0);
    expect(document.datasetVersions.count).toBe(0);
    expect(document.artifacts.count).toBe(0);
    expect(document.objects.count).toBe(0);
    expect(document.predictionLogs.count).toBe(0);
    const table = await mlops(['gc', '--model', name, '--dry-run'], env);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^WHAT\s+WOULD REMOVE\s+BYTES\s+SAMPLE$/m);
    expect(table.stdout).toMatch(/^objects in S3 \(all\)\s+0\s+0 B\s+-$/m);
  });
});
