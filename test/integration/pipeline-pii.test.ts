import { createHmac, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelineRuns, stageRuns } from '../../db/schema.js';
import { parseSpec } from '../../spec/parse.js';
import { runPipeline } from '../support/pipeline.js';
import { startTestPlatform, testArtifactStore, type TestPlatform } from '../support/platform.js';

const KEY = 'test-key-0123456789abcdef0123456789abcdef';

describe('personal data in the training pipeline', () => {
  let platform: TestPlatform;
  const logLines: string[] = [];
  // Under the working directory (where datasets may be read from), outside .mlops (never read as data).
  const folder = path.resolve('test', 'artifacts', 'datasets', randomUUID());
  const store = testArtifactStore();
  const people = Array.from({ length: 300 }, (_, index) => ({
    name: `Person Number${index}`,
    email: `person${index}@example.com`,
    age: 20 + (index % 45),
    plan: ['basic', 'plus', 'pro'][index % 3],
    churned: index % 3 === 0 || index % 7 === 0 ? 'yes' : 'no',
  }));

  beforeAll(async () => {
    await mkdir(folder, { recursive: true });
    await writeFile(
      path.join(folder, 'customers.csv'),
      `name,email,age,plan,churned\n${people.map((person) => Object.values(person).join(',')).join('\n')}\n`,
    );
    platform = await startTestPlatform({ pools: ['cpu'], env: { MLOPS_PII_HMAC_KEY: KEY }, logLines });
  });

  afterAll(async () => {
    await platform?.stop();
    store.client.destroy();
    await rm(folder, { recursive: true, force: true });
  });

  it('keeps raw PII out of every stored artifact, log line and the workflow history', async () => {
    const spec = parseSpec({
      name: `churn-pii-${randomUUID().slice(0, 8)}`,
      dataset: { uri: path.join(folder, 'customers.csv') },
      target: 'churned',
      pii: { drop: ['name'], hash: ['email'] },
      exclude: ['email'],
      validation: { minRows: 100, columns: { email: { type: 'string' }, age: { type: 'number', min: 0 } } },
      train: { trainer: 'logistic_regression' },
    });
    const result = await runPipeline(platform, spec);
    expect(result.status).toBe('succeeded');
    const rawValues = people.flatMap((person) => [person.email, person.name]);
    const containsRaw = (text: string) => rawValues.find((value) => text.includes(value));

    // Every object the run stored: what its stages' outputs reference, and what lies in its own
    // folders. The folders are listed one by one: the embedded S3 server walks the folders it
    // lists, and a whole-bucket walk fails when another test deletes a folder midway.
    const [run] = await platform.database.db
      .select()
      .from(pipelineRuns)
      .where(eq(pipelineRuns.workflowId, result.workflowId));
    const outputs = (
      await platform.database.db.select().from(stageRuns).where(eq(stageRuns.pipelineRunId, run.id))
    ).map((stage) => stage.outputs);
    const referenced = (JSON.stringify(outputs).match(/s3:\/\/[^"]+/g) ?? []).map((uri) => store.keyOf(uri));
    const runFolder = `${result.workflowId}-${result.runId}`.replace(/[^A-Za-z0-9._-]+/g, '-');
    const folders = [
      ...['datasets', 'splits', 'models', 'evaluations', 'curves', 'reports', 'checkpoints'].map(
        (kind) => `${kind}/${spec.name}/`,
      ),
      `validation/${runFolder}/`,
    ];
    const listed: string[] = [];
    for (const prefix of folders) for await (const object of store.list(prefix)) listed.push(object.key);
    const stored = [...new Set([...referenced, ...listed])];
    expect(stored.length).toBeGreaterThan(5);
    // The de-identified snapshot in S3: no name column, emails replaced by the keyed HMAC.
    const snapshotKey = stored.find((key) => key.startsWith('datasets/') && key.endsWith('.parquet'));
    expect(snapshotKey).toBeDefined();
    const snapshotFile = path.join(folder, 'snapshot.parquet');
    await writeFile(snapshotFile, await store.getBuffer(snapshotKey!));
    const duckdb = await DuckDBInstance.create(':memory:');
    const connection = await duckdb.connect();
    const rows = (
      await connection.runAndReadAll(`select * from read_parquet('${snapshotFile}')`)
    ).getRowObjects();
    connection.closeSync();
    expect(Object.keys(rows[0])).not.toContain('name');
    expect(rows[0].email).toBe(createHmac('sha256', KEY).update(people[0].email).digest('hex'));
    expect(rows.every((row) => /^[0-9a-f]{64}$/.test(String(row.email)))).toBe(true);

    // Every JSON and HTML artifact of the run (validation report, split, evaluation, model, report).
    for (const key of stored.filter((name) => !name.endsWith('.parquet'))) {
      expect(containsRaw((await store.getBuffer(key)).toString('utf8')), key).toBeUndefined();
    }
    expect(stored.some((key) => key.startsWith('reports/'))).toBe(true);
    expect(logLines.filter((line) => line.includes(result.workflowId)).length).toBeGreaterThan(10);
    expect(containsRaw(logLines.join('\n'))).toBeUndefined();
    const history = await platform.client.temporal.workflow.getHandle(result.workflowId).fetchHistory();
    expect(containsRaw(historyToJSON(history))).toBeUndefined();

    // The raw data staged on the worker is gone once de-identified.
    const scratch = path.join(
      os.tmpdir(),
      'mlops-scratch',
      `${os.hostname().replace(/[^A-Za-z0-9.-]+/g, '-')}-${process.pid}`,
    );
    expect(existsSync(scratch)).toBe(true);
    const leftovers = (await readdir(scratch, { recursive: true })).filter((entry) =>
      String(entry).endsWith('.parquet'),
    );
    expect(leftovers).toEqual([]);
  });
});
