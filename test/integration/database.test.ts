import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { eq } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../db/client.js';
import type { RunSpec } from '../../contracts/runs.js';
import { defaultTaskQueues } from '../../contracts/task-queues.js';
import { migrateDatabase, migrationsFolder } from '../../db/migrate.js';
import {
  loggedPredictions,
  type LoggedPrediction,
  type PredictionWindow,
} from '../../db/queries/predictions.js';
import { upsertPipelineRun, upsertStageRun } from '../../db/queries/runs.js';
import { insertPredictionLogs, upsertLabelFeedback } from '../../db/queries/serving.js';
import { addLineageEdge, upsertArtifact } from '../../db/queries/artifacts.js';
import * as schema from '../../db/schema.js';
import { getTableName, is } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { testConnections } from '../support/platform.js';

/** A run's stored spec, as the smoke pipeline records it. */
const smokeInput: RunSpec = { taskQueues: defaultTaskQueues, useGpu: false, rows: 10, folds: 2, seed: 1 };

/** A database of its own on the shared server, so "empty" really is empty. */
describe('database migrations and idempotent writes', () => {
  const databaseName = `mlops_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  let adminClient: pg.Client;
  let database: DatabaseHandle;

  beforeAll(async () => {
    adminClient = new pg.Client({ connectionString: testConnections().databaseUrl });
    await adminClient.connect();
    await adminClient.query(`create database ${pg.escapeIdentifier(databaseName)}`);
    const url = new URL(testConnections().databaseUrl);
    url.pathname = `/${databaseName}`;
    database = connectDatabase(url.toString(), { maxConnections: 3 });
  });

  afterAll(async () => {
    await database?.close();
    await adminClient?.query(`drop database if exists ${pg.escapeIdentifier(databaseName)} with (force)`);
    await adminClient?.end();
  });

  it('applies every migration to an empty database, creating every table of the schema', async () => {
    await migrateDatabase(database.db);
    const tables = await database.pool.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = 'public' order by table_name",
    );
    const expected = Object.values(schema)
      .filter((value) => is(value, PgTable))
      .map((table) => getTableName(table as PgTable))
      .sort();
    expect(expected).toHaveLength(15);
    expect(tables.rows.map((row) => row.table_name)).toEqual(expected);
  });

  it('is a no-op when run again', async () => {
    const journal = JSON.parse(await readFile(`${migrationsFolder}/meta/_journal.json`, 'utf8')) as {
      entries: unknown[];
    };
    const countApplied = async () =>
      (
        await database.pool.query<{ count: number }>(
          'select count(*)::int as count from drizzle.__drizzle_migrations',
        )
      ).rows[0].count;
    expect(await countApplied()).toBe(journal.entries.length);
    await migrateDatabase(database.db);
    await Promise.all([migrateDatabase(database.db), migrateDatabase(database.db)]);
    expect(await countApplied()).toBe(journal.entries.length);
  });

  it('keeps one stage-run row when a retried activity writes the same record again', async () => {
    const run = await upsertPipelineRun(database.db, {
      workflowId: 'pipeline/retries',
      runId: 'run-1',
      pipelineName: 'retries',
      spec: smokeInput,
      codeVersion: 'test',
    });
    const again = await upsertPipelineRun(database.db, {
      workflowId: 'pipeline/retries',
      runId: 'run-1',
      pipelineName: 'retries',
      spec: smokeInput,
      codeVersion: 'test',
    });
    expect(again.id).toBe(run.id);

    const record = {
      pipelineRunId: run.id,
      stage: 'train',
      status: 'running' as const,
      attempt: 1,
      workerIdentity: 'host/cpu/1',
      startedAt: new Date(),
    };
    const first = await upsertStageRun(database.db, record);
    const retried = await upsertStageRun(database.db, {
      ...record,
      attempt: 2,
      workerIdentity: 'host/cpu/2',
      status: 'succeeded',
    });
    const rows = await database.db
      .select()
      .from(schema.stageRuns)
      .where(eq(schema.stageRuns.pipelineRunId, run.id));
    expect(rows).toHaveLength(1);
    expect(retried.id).toBe(first.id);
    expect(rows[0]).toMatchObject({ attempt: 2, workerIdentity: 'host/cpu/2', status: 'succeeded' });
  });

  it('records an artifact and a lineage edge once however often they are written', async () => {
    const artifact = { uri: 's3://mlops/datasets/x/abc.parquet', sha256: 'abc', bytes: 10, kind: 'dataset' };
    const first = await upsertArtifact(database.db, artifact);
    const second = await upsertArtifact(database.db, artifact);
    expect(second.id).toBe(first.id);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await addLineageEdge(
        database.db,
        { kind: 'artifact', id: first.id },
        { kind: 'model_version', id: 1 },
        'trained',
      );
    }
    const edges = await database.db.select().from(schema.lineageEdges);
    expect(edges).toHaveLength(1);
  });

  it('refuses rows that break the data model', async () => {
    await expect(
      database.db.insert(schema.datasetVersions).values({
        datasetId: 999_999,
        sha256: 'x',
        uri: 's3://mlops/x',
        rows: 1,
        bytes: 1,
        schema: { columns: [] },
        source: {},
      }),
    ).rejects.toMatchObject({ cause: { code: '23503' } }); // foreign_key_violation
    const run = await upsertPipelineRun(database.db, {
      workflowId: 'w',
      runId: 'r',
      pipelineName: 'p',
      spec: smokeInput,
      codeVersion: 'test',
    });
    await expect(
      upsertStageRun(database.db, {
        pipelineRunId: run.id,
        stage: 's',
        status: 'running',
        attempt: 0,
        workerIdentity: 'w',
        startedAt: new Date(),
      }),
    ).rejects.toMatchObject({ cause: { code: '23514', constraint: 'stage_runs_attempt_positive' } });
    await expect(
      database.db.insert(schema.models).values({ name: null as unknown as string }),
    ).rejects.toMatchObject({ cause: { code: '23502' } }); // not_null_violation
  });

  it('streams a window of logged predictions in id order, with labels, and frees its connection when the reader stops early', async () => {
    const [model] = await database.db.insert(schema.models).values({ name: 'streamed' }).returning();
    const [first, second] = await database.db
      .insert(schema.modelVersions)
      .values(
        [1, 2].map((version) => ({
          modelId: model.id,
          version,
          registrationKey: `streamed-${version}`,
          status: 'registered' as const,
          primaryMetric: 'accuracy' as const,
          codeVersion: 'test',
        })),
      )
      .returning();
    const at = (minute: number) => new Date(Date.UTC(2030, 0, 1, 0, minute));
    const logged = Array.from({ length: 10 }, (_, index) => ({
      predictionId: randomUUID(),
      modelVersionId: index % 2 ? second.id : first.id,
      deploymentId: null,
      inputs: { x: index },
      output: index % 3,
      probabilities: null,
      latencyMs: 1,
      requestKey: null,
      createdAt: at(index),
    }));
    await insertPredictionLogs(database.db, logged);
    await upsertLabelFeedback(database.db, 'streamed', [
      { predictionId: logged[4].predictionId, label: 'late' },
    ]);
    const read = async (window: Partial<PredictionWindow>) => {
      const pages: LoggedPrediction[][] = [];
      const query = { modelName: 'streamed', from: at(1), to: at(9), ...window };
      for await (const page of loggedPredictions(database.db, query, 3)) pages.push(page);
      return pages;
    };

    // Minutes 1-8 (the end is exclusive), in pages of three, oldest first.
    const pages = await read({});
    expect(pages.map((page) => page.map((row) => row.inputs.x))).toEqual([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8],
    ]);
    expect(pages[1][0]).toMatchObject({ output: 1, label: 'late', labeled: true, createdAt: at(4) });
    expect(pages[1][1]).toMatchObject({ label: null, labeled: false });
    expect((await read({ versionIds: [second.id] })).flat().map((row) => row.inputs.x)).toEqual([1, 3, 5, 7]);
    expect((await read({ labeledOnly: true })).flat().map((row) => row.inputs.x)).toEqual([4]);
    expect(await read({ modelName: 'unknown' })).toEqual([]);

    // A reader that stops after one page hands its connection back to the pool, cursor closed.
    for await (const _page of loggedPredictions(
      database.db,
      { modelName: 'streamed', from: at(0), to: at(10) },
      2,
    ))
      break;
    expect(database.pool.totalCount - database.pool.idleCount).toBe(0);
    expect((await read({})).flat()).toHaveLength(8);
  });

  it('gives versions registered before migration 0002 the primary metric their run asked for, or the task default', async () => {
    const url = new URL(testConnections().databaseUrl);
    url.pathname = `/${databaseName}_0002`;
    await adminClient.query(`create database ${pg.escapeIdentifier(`${databaseName}_0002`)}`);
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    const apply = async (file: string) => {
      const text = await readFile(`${migrationsFolder}/${file}`, 'utf8');
      for (const statement of text.split('--> statement-breakpoint')) await client.query(statement);
    };
    try {
      await apply('0000_initial.sql');
      await apply('0001_api_tokens.sql');
      const insert = async (name: string, task: string, spec: object | null) => {
        const model = await client.query<{ id: number }>(
          'insert into models (name, task) values ($1, $2) returning id',
          [name, task],
        );
        const run = spec
          ? await client.query<{ id: number }>(
              `insert into pipeline_runs (workflow_id, run_id, pipeline_name, spec, code_version) values ($1, 'r', $1, $2, 'old') returning id`,
              [name, JSON.stringify(spec)],
            )
          : null;
        await client.query(
          `insert into model_versions (model_id, version, registration_key, status, pipeline_run_id, code_version) values ($1, 1, 'k', 'registered', $2, 'old')`,
          [model.rows[0].id, run?.rows[0].id ?? null],
        );
      };
      await insert('asked-for-auc', 'binary', { evaluation: { primaryMetric: 'auc' } });
      await insert('classifier-default', 'multiclass', { evaluation: {} });
      await insert('regressor-default', 'regression', { evaluation: {} });
      await insert('imported', 'binary', null);
      await apply('0002_model_version_primary_metric.sql');
      const rows = await client.query<{ name: string; primary_metric: string }>(
        'select name, primary_metric from model_versions join models on models.id = model_id order by name',
      );
      expect(rows.rows).toEqual([
        { name: 'asked-for-auc', primary_metric: 'auc' },
        { name: 'classifier-default', primary_metric: 'accuracy' },
        { name: 'imported', primary_metric: 'accuracy' },
        { name: 'regressor-default', primary_metric: 'rmse' },
      ]);
    } finally {
      await client.end();
      await adminClient.query(
        `drop database if exists ${pg.escapeIdentifier(`${databaseName}_0002`)} with (force)`,
      );
    }
  });
});
