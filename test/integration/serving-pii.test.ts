import { createHmac, randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { MockActivityEnvironment } from '@temporalio/testing';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProductionDataActivities } from '../../activities/loop/production-data.js';
import type { ProductionDataOutput } from '../../contracts/loop-stages.js';
import type { ModelVersion } from '../../db/queries/registry.js';
import { artifacts, datasetVersions, predictionLogs } from '../../db/schema.js';
import { loadModelDocument, predictRow } from '../../ml/model/index.js';
import { parseSpec } from '../../spec/parse.js';
import { setAlias } from '../support/aliases.js';
import { runPipeline, versionsOf } from '../support/pipeline.js';
import {
  startTestPlatform,
  testActivityDependencies,
  testArtifactStore,
  type TestPlatform,
} from '../support/platform.js';
import { logPredictions } from '../support/predictions.js';
import {
  createTestToken,
  eventually,
  request,
  startTestServer,
  type TestServer,
} from '../support/serving.js';

const KEY = 'test-key-0123456789abcdef0123456789abcdef';
const hmac = (value: string) => createHmac('sha256', KEY).update(value, 'utf8').digest('hex');

// Churn follows the e-mail address (a few customers, many visits each), so the hashed e-mail is
// what the model learns from, and a hash that differed from training's would change its answers.
const EMAILS = ['ann@example.com', 'bob@example.org', 'cy@example.net', 'di@example.com'];
const customer = (index: number) => ({
  name: `Person Number${index}`,
  email: EMAILS[index % EMAILS.length],
  age: 20 + (index % 45),
  plan: ['basic', 'plus', 'pro'][index % 3],
  churned: index % EMAILS.length < 2 !== (index % 10 === 0) ? 'left' : 'stayed',
});
const instanceOf = ({ email, age, plan }: ReturnType<typeof customer>) => ({ email, age, plan });

describe('personal data at serving', () => {
  let platform: TestPlatform;
  let serving: TestServer;
  let token: string;
  let modelName: string;
  let champion: ModelVersion;
  const store = testArtifactStore();
  // Under the working directory (where datasets may be read from), outside .mlops (never read as data).
  const folder = path.resolve('test', 'artifacts', 'serving-pii', randomUUID());
  const predictUrl = () => `${serving.url}/v1/models/${modelName}:predict`;
  const predict = (instances: unknown[]) => request(predictUrl(), { body: { instances }, token });

  /** A version's model document from S3, for scoring rows directly. */
  const modelOf = async (version: ModelVersion) => {
    const [file] = await platform.database.db
      .select()
      .from(artifacts)
      .where(eq(artifacts.id, version.modelArtifactId!));
    return loadModelDocument(JSON.parse((await store.getBuffer(store.keyOf(file.uri))).toString('utf8')));
  };
  /** Every value of a column of a Parquet object in S3. */
  const columnOf = async (uri: string, column: string) => {
    const file = path.join(folder, `${randomUUID()}.parquet`);
    await writeFile(file, await store.getBuffer(store.keyOf(uri)));
    const duckdb = await DuckDBInstance.create(':memory:');
    const connection = await duckdb.connect();
    try {
      const rows = (
        await connection.runAndReadAll(`select "${column}" as value from '${file}'`)
      ).getRowObjects();
      return rows.map((row) => row.value);
    } finally {
      connection.closeSync();
    }
  };
  const loggedRows = (ids: string[]) =>
    platform.database.db.select().from(predictionLogs).where(inArray(predictionLogs.predictionId, ids));

  beforeAll(async () => {
    await mkdir(folder, { recursive: true });
    const rows = Array.from({ length: 300 }, (_, index) => customer(index));
    await writeFile(
      path.join(folder, 'customers.csv'),
      `name,email,age,plan,churned\n${rows.map((row) => Object.values(row).join(',')).join('\n')}\n`,
    );
    platform = await startTestPlatform({ pools: ['cpu'], env: { MLOPS_PII_HMAC_KEY: KEY } });
    const spec = parseSpec({
      name: `churn-serving-pii-${randomUUID().slice(0, 8)}`,
      dataset: { uri: path.join(folder, 'customers.csv') },
      target: 'churned',
      pii: { drop: ['name'], hash: ['email'] },
      validation: { minRows: 100 },
      train: { trainer: 'logistic_regression' },
      deploy: { promote: true },
    });
    const result = await runPipeline(platform, spec);
    expect(result.status, JSON.stringify(result.error)).toBe('succeeded');
    modelName = spec.name;
    [champion] = await versionsOf(platform, modelName);
    token = (await createTestToken(platform, ['admin'])).token;
    serving = await startTestServer(platform, [modelName], { piiHmacKey: KEY });
  });

  afterAll(async () => {
    await serving?.close();
    await platform?.stop();
    store.client.destroy();
    await rm(folder, { recursive: true, force: true });
  });

  it('hashes a pii.hash input before the model and the log: prediction_logs holds the hash, never the raw value', async () => {
    const described = await request(`${serving.url}/v1/models/${modelName}`, { token });
    expect(described.body.inputs).toContainEqual({
      name: 'email',
      type: 'string',
      required: true,
      pii: 'hashed',
    });
    expect((described.body.inputs as { name: string }[]).map((input) => input.name)).not.toContain('name');

    const instances = EMAILS.map((email, index) => ({ email, age: 30 + index, plan: 'pro' }));
    const answer = await predict(instances);
    expect(answer.status).toBe(200);
    await serving.server.predictionLog.flushed();
    const ids = answer.body.predictionIds as string[];
    const logged = await loggedRows(ids);
    expect(logged).toHaveLength(instances.length);
    for (const row of logged) {
      const sent = instances[ids.indexOf(row.predictionId)];
      expect(row.inputs).toEqual({ ...sent, email: hmac(sent.email) });
    }
    expect(EMAILS.filter((email) => JSON.stringify(logged).includes(email))).toEqual([]);

    // The answer is the model's for the hashed value; for the raw one (an unknown category) it is not.
    const model = await modelOf(champion);
    const probabilities = answer.body.probabilities as Record<string, number>[];
    instances.forEach((instance, index) => {
      const expected = predictRow(model, { ...instance, email: hmac(instance.email) });
      if (expected.task === 'regression') throw new Error('a classifier was expected');
      expect((answer.body.predictions as string[])[index]).toBe(expected.label);
      model.classes!.forEach((label, position) =>
        expect(probabilities[index][label]).toBeCloseTo(expected.probabilities[position], 12),
      );
    });
    const unhashed = predictRow(model, instances[0]);
    if (unhashed.task === 'regression') throw new Error('a classifier was expected');
    expect(probabilities[0][model.classes![0]]).not.toBeCloseTo(unhashed.probabilities[0], 6);
  });

  it('refuses an instance carrying a pii.drop column, naming it without its value, and logs nothing of it', async () => {
    const before = serving.server.metrics.logWritten.get();
    const answer = await predict([{ ...instanceOf(customer(1)), name: 'Ann Lee' }]);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({
      code: 'invalid_input',
      problems: [
        { index: 0, field: 'name', problem: expect.stringMatching(/personal data .*\(pii\.drop\)/) },
      ],
    });
    expect(JSON.stringify(answer.body)).not.toContain('Ann Lee');
    await serving.server.predictionLog.flushed();
    expect(serving.server.metrics.logWritten.get()).toBe(before);
  });

  it('does not serve a version that hashes inputs without the key, rather than score raw values', async () => {
    const keyless = await startTestServer(platform, [modelName]);
    try {
      const described = await request(`${keyless.url}/v1/models/${modelName}`, { token });
      expect(described.body).toMatchObject({
        ready: false,
        loadError: expect.stringMatching(/MLOPS_PII_HMAC_KEY/),
      });
      const answer = await request(`${keyless.url}/v1/models/${modelName}:predict`, {
        body: { instances: [instanceOf(customer(0))] },
        token,
      });
      expect(answer).toMatchObject({ status: 503, body: { error: { code: 'model_not_ready' } } });
    } finally {
      await keyless.close();
    }
  });

  it('retrains on the logs without hashing twice: the spec keeps the PII rules and no raw value reaches a snapshot', async () => {
    const windowStart = Date.now() - 1000;
    // Labeled traffic through the server, in several requests so the time split has a past and a present.
    const customers = Array.from({ length: 60 }, (_, index) => customer(1000 + index));
    for (let start = 0; start < customers.length; start += 6) {
      const batch = customers.slice(start, start + 6);
      const answer = await predict(batch.map(instanceOf));
      expect(answer.status).toBe(200);
      await serving.server.predictionLog.flushed();
      const feedback = await request(`${serving.url}/v1/models/${modelName}/feedback`, {
        body: {
          feedback: (answer.body.predictionIds as string[]).map((predictionId, index) => ({
            predictionId,
            label: batch[index].churned,
          })),
        },
        token,
      });
      expect(feedback.body).toMatchObject({ stored: batch.length });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // One row logged raw, as a server from before serving hashed would have.
    await logPredictions(platform.database.db, {
      modelVersionId: champion.id,
      rows: [{ ...instanceOf(customer(0)), churned: 'left' }],
      target: 'churned',
    });

    const production = (await new MockActivityEnvironment().run(
      createProductionDataActivities({ ...testActivityDependencies(platform, store), piiHmacKey: KEY })
        .snapshotProductionData,
      { modelName, windowStart, windowEnd: Date.now() + 1000, includeTrainingData: true },
    )) as ProductionDataOutput;
    expect(production.spec.pii).toEqual({ drop: [], hash: [], hashed: ['email'] });
    const snapshotEmails = await columnOf(production.dataset.uri, 'email');
    expect(snapshotEmails.length).toBe(300 + customers.length + 1);
    expect(new Set(snapshotEmails)).toEqual(new Set(EMAILS.map(hmac)));
    expect(await columnOf(production.dataset.uri, 'name').catch(() => 'no such column')).toBe(
      'no such column',
    );

    const retrained = await runPipeline(platform, production.spec);
    expect(retrained.status, JSON.stringify(retrained.error)).toMatch(/^(succeeded|rejected)$/);
    const [, version] = await versionsOf(platform, modelName);
    expect(version.version).toBe(2);
    const [dataset] = await platform.database.db
      .select()
      .from(datasetVersions)
      .where(and(eq(datasetVersions.id, version.datasetVersionId!)));
    // Hashed once, as at serving: the retrained model's vocabulary is the champion's.
    expect(new Set(await columnOf(dataset.uri, 'email'))).toEqual(new Set(EMAILS.map(hmac)));

    // Served, the retrained version hashes the raw value too (its rules come from its own spec).
    await setAlias(platform.database.db, version, 'champion');
    await eventually(
      async () => (await predict([instanceOf(customer(0))])).body.version === 2,
      'serving the retrained version',
    );
    const answer = await predict([instanceOf(customer(0))]);
    const expected = predictRow(await modelOf(version), {
      ...instanceOf(customer(0)),
      email: hmac(EMAILS[0]),
    });
    if (expected.task === 'regression') throw new Error('a classifier was expected');
    expect(answer.body.predictions).toEqual([expected.label]);
  });
});
