import { eq, inArray } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findModelVersion, registerModelVersion, type ModelVersion } from '../../db/queries/registry.js';
import { announceServingChange } from '../../db/queries/serving.js';
import { deployments, predictionLogs } from '../../db/schema.js';
import { stickyFraction } from '../../serving/index.js';
import { setAlias } from '../support/aliases.js';
import { startTestPlatform, testConnections, type TestPlatform } from '../support/platform.js';
import {
  createTestToken,
  eventually,
  request,
  startTestServer,
  trainServedModel,
  type TestServer,
} from '../support/serving.js';

const penguin = {
  Island: 'Dream',
  'Beak Length (mm)': 49.5,
  'Beak Depth (mm)': 19,
  'Flipper Length (mm)': 200,
  'Body Mass (g)': 3800,
};

describe('prediction server: logging, hot swap and canary', () => {
  let platform: TestPlatform;
  let serving: TestServer;
  let modelName: string;
  let token: string;
  let first: ModelVersion;
  let second: ModelVersion;
  const predict = (url: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    request(`${url}/v1/models/${modelName}:predict`, { body, token, headers });
  const loggedRows = (ids: string[]) =>
    platform.database.db.select().from(predictionLogs).where(inArray(predictionLogs.predictionId, ids));

  beforeAll(async () => {
    platform = await startTestPlatform({ pools: ['cpu'] });
    modelName = await trainServedModel(platform);
    first = (await findModelVersion(platform.database.db, modelName, 1))!;
    // A second version of the same model file: what is served is told apart by its version number.
    ({ version: second } = await registerModelVersion(platform.database.db, modelName, 'multiclass', {
      registrationKey: `${modelName}-second`,
      status: 'registered',
      modelArtifactId: first.modelArtifactId,
      primaryMetric: 'accuracy',
      codeVersion: 'test',
    }));
    token = (await createTestToken(platform, ['predict'])).token;
    serving = await startTestServer(platform, [modelName]);
  });

  afterAll(async () => {
    await serving?.close();
    await platform?.stop();
  });

  it('logs every answered prediction once: inputs, output, probabilities, version, latency, request key and time', async () => {
    const sizes = [1, 3, 1, 32, 5, 1, 8];
    const answers = await Promise.all(
      sizes.map((size, index) =>
        predict(serving.url, {
          instances: Array.from({ length: size }, () => penguin),
          requestKey: `client-${index}`,
        }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(sizes.map(() => 200));
    const ids = answers.flatMap((answer) => answer.body.predictionIds as string[]);
    expect(ids).toHaveLength(51);
    await eventually(
      async () => (await loggedRows(ids)).length === ids.length,
      'every prediction is written',
    );
    const rows = await loggedRows(ids);
    expect(rows).toHaveLength(51);
    const row = rows.find((candidate) => candidate.predictionId === ids[0])!;
    // The pipeline promoted v1 through the model's lifecycle workflow, which made its deployment.
    const [deployment] = await platform.database.db
      .select()
      .from(deployments)
      .where(eq(deployments.name, modelName));
    expect(row).toMatchObject({
      modelVersionId: first.id,
      deploymentId: deployment.id,
      inputs: penguin,
      output: (answers[0].body.predictions as string[])[0],
      probabilities: (answers[0].body.probabilities as Record<string, number>[])[0],
      requestKey: 'client-0',
    });
    expect(row.latencyMs).toBeGreaterThan(0);
    expect(Date.now() - row.createdAt.getTime()).toBeLessThan(60_000);
  });

  it('moves to a new champion under steady load with no failed request, and back', async () => {
    const statuses: number[] = [];
    const seenVersions: number[] = [];
    let running = true;
    const client = async () => {
      while (running) {
        const answer = await predict(serving.url, { instances: [penguin, penguin] });
        statuses.push(answer.status);
        seenVersions.push(answer.body.version as number);
      }
    };
    const clients = Array.from({ length: 4 }, client);
    // Once a response comes from the new version, every later one does (but for the requests the
    // other three clients had in flight, which finish on the version they started with).
    const switchTo = async (version: ModelVersion) => {
      await setAlias(platform.database.db, version, 'champion');
      await eventually(
        async () => seenVersions.at(-1) === version.version,
        `the switch to v${version.version}`,
        5000,
      );
      const switchedAt = seenVersions.length + 3;
      await eventually(async () => seenVersions.length > switchedAt + 100, 'load on the new version');
      expect(seenVersions.slice(switchedAt).filter((seen) => seen !== version.version)).toEqual([]);
    };
    try {
      await eventually(async () => seenVersions.length > 100, 'steady load');
      await switchTo(second);
      await switchTo(first);
    } finally {
      running = false;
      await Promise.all(clients);
    }
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(new Set(seenVersions)).toEqual(new Set([1, 2]));
  });

  it('sends a deployment’s challenger share of requests to the challenger, sticky by request key', async () => {
    const [deployment] = await platform.database.db
      .insert(deployments)
      .values({
        name: `${modelName}-canary`,
        modelId: first.modelId,
        trafficSplit: { championVersionId: first.id, challengerVersionId: second.id, challengerShare: 0.3 },
      })
      .returning();
    await announceServingChange(platform.database.db, modelName);
    const described = () => request(`${serving.url}/v1/models/${modelName}`, { token });
    const challengerServed = async () =>
      ((await described()).body.versions as { challenger: unknown }).challenger !== null;
    await eventually(challengerServed, 'the canary is served');
    expect((await described()).body.versions).toEqual({
      champion: { version: 1 },
      challenger: { version: 2, share: 0.3 },
    });

    const keys = Array.from({ length: 300 }, (_, index) => `user-${index}`);
    const versionOf = async (key: string, viaHeader: boolean) => {
      const answer = viaHeader
        ? await predict(serving.url, { instances: [penguin] }, { 'x-request-key': key })
        : await predict(serving.url, { instances: [penguin], requestKey: key });
      return answer.body.version as number;
    };
    const versions = await Promise.all(keys.map((key, index) => versionOf(key, index % 2 === 0)));
    const expected = keys.map((key) => (stickyFraction(modelName, key) < 0.3 ? 2 : 1));
    expect(versions).toEqual(expected);
    const challengerShare = versions.filter((version) => version === 2).length / versions.length;
    expect(challengerShare).toBeGreaterThan(0.2);
    expect(challengerShare).toBeLessThan(0.4);
    // The same key lands on the same version every time, whether sent in the header or the body.
    for (const key of keys.slice(0, 10)) {
      const again = await Promise.all([versionOf(key, true), versionOf(key, false), versionOf(key, true)]);
      expect(new Set(again)).toEqual(new Set([versions[keys.indexOf(key)]]));
    }
    // The Open Inference Protocol routes by the same key (its parameters.request_key, or the
    // header), and a version named in its path answers whatever the split says.
    const v2 = (key: string, path = '') =>
      request(`${serving.url}/v2/models/${modelName}${path}/infer`, {
        token,
        body: {
          parameters: { request_key: key },
          inputs: Object.entries(penguin).map(([name, value]) => ({
            name,
            shape: [1],
            datatype: typeof value === 'string' ? 'BYTES' : 'FP64',
            data: [value],
          })),
        },
      });
    for (const key of keys.slice(0, 40))
      expect((await v2(key)).body.model_version).toBe(String(versions[keys.indexOf(key)]));
    const championKey = keys.find((_, index) => versions[index] === 1)!;
    expect((await v2(championKey, '/versions/2')).body.model_version).toBe('2');
    expect((await v2(championKey, '/versions/7')).status).toBe(404);

    const logged = await predict(serving.url, { instances: [penguin], requestKey: 'user-logged' });
    await eventually(
      async () => (await loggedRows(logged.body.predictionIds as string[])).length === 1,
      'the row is written',
    );
    expect((await loggedRows(logged.body.predictionIds as string[]))[0]).toMatchObject({
      deploymentId: deployment.id,
      requestKey: 'user-logged',
    });

    await platform.database.db
      .update(deployments)
      .set({ status: 'retired' })
      .where(eq(deployments.id, deployment.id));
    await announceServingChange(platform.database.db, modelName);
    await eventually(async () => !(await challengerServed()), 'the canary ends');
  });

  it('follows alias changes again after its LISTEN connection drops (reconnecting, then re-reading)', async () => {
    const servedVersion = async () => (await predict(serving.url, { instances: [penguin] })).body.version;
    await platform.database.pool.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'mlops-serving-listener'",
    );
    await setAlias(platform.database.db, second, 'champion');
    await eventually(async () => (await servedVersion()) === 2, 'the change made while disconnected');
    // The periodic re-check is a minute away in these tests: this one arrives through NOTIFY.
    await setAlias(platform.database.db, first, 'champion');
    await eventually(async () => (await servedVersion()) === 1, 'the change after reconnecting', 5000);
  });

  it('shuts down with a full prediction-log queue and requests waiting for room, and loses nothing', async () => {
    const small = await startTestServer(platform, [modelName], {
      predictionLog: { capacity: 40, batchRows: 40, flushIntervalMs: 60_000, maxWaitMs: 30_000 },
    });
    // Holding a lock that blocks inserts keeps the queue full until the lock is released.
    const blocker = new pg.Client({ connectionString: testConnections().databaseUrl });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query('lock table prediction_logs in share mode');
      const answered: string[] = [];
      for (let index = 0; index < 40; index += 1) {
        const answer = await predict(small.url, { instances: [penguin] });
        expect(answer.status).toBe(200);
        answered.push(...(answer.body.predictionIds as string[]));
      }
      expect(small.server.predictionLog.depth).toBe(40);
      const waiting = Array.from({ length: 10 }, () => predict(small.url, { instances: [penguin] }));
      await eventually(async () => small.server.metrics.inFlight.get() === 10, 'ten requests wait for room');
      const closed = small.close();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await loggedRows(answered)).toHaveLength(0);
      await blocker.query('commit');
      const late = await Promise.all(waiting);
      await closed;
      expect(late.map((answer) => answer.status)).toEqual(Array.from({ length: 10 }, () => 200));
      answered.push(...late.flatMap((answer) => answer.body.predictionIds as string[]));
      expect(await loggedRows(answered)).toHaveLength(50);
      expect(small.server.metrics.logDropped.get()).toBe(0);
    } finally {
      await blocker.query('rollback').catch(() => undefined);
      await blocker.end();
      await small.close();
    }
  });
});
