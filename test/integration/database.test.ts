import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { eq } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../db/client.js';
import { migrateDatabase, migrationsFolder } from '../../db/migrate.js';
import { upsertPipelineRun, upsertStageRun } from '../../db/queries/runs.js';
import { addLineageEdge, upsertArtifact } from '../../db/queries/artifacts.js';
import * as schema from '../../db/schema.js';
import { getTableName, is } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { testConnections } from '../support/platform.js';

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
      spec: {},
      codeVersion: 'test',
    });
    const again = await upsertPipelineRun(database.db, {
      workflowId: 'pipeline/retries',
      runId: 'run-1',
      pipelineName: 'retries',
      spec: {},
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
        schema: {},
        source: {},
      }),
    ).rejects.toMatchObject({ cause: { code: '23503' } }); // foreign_key_violation
    const run = await upsertPipelineRun(database.db, {
      workflowId: 'w',
      runId: 'r',
      pipelineName: 'p',
      spec: {},
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
});
