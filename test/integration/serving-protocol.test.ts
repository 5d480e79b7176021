import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeApiToken } from '../../db/queries/api-tokens.js';
import { stackEnvironment, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { spawnMlops } from '../support/processes.js';
import {
  createTestToken,
  eventually,
  request,
  startTestServer,
  trainServedModel,
  type TestServer,
} from '../support/serving.js';
import { adelie, gentoo, invalidRequests } from '../support/serving-requests.js';

describe('prediction server: protocol, validation and auth', () => {
  let platform: TestPlatform;
  let serving: TestServer;
  let modelName: string;
  let predictToken: string;
  let feedbackToken: string;
  let adminToken: string;
  const predictUrl = () => `${serving.url}/v1/models/${modelName}:predict`;
  const predict = (body: unknown, token = predictToken) => request(predictUrl(), { body, token });

  beforeAll(async () => {
    platform = await startTestPlatform({ pools: ['cpu'] });
    // Two of the four measurements may be left out of a request; the others are required.
    modelName = await trainServedModel(platform, {
      serving: { allowMissing: ['Beak Length (mm)', 'Body Mass (g)'] },
    });
    predictToken = (await createTestToken(platform, ['predict'])).token;
    feedbackToken = (await createTestToken(platform, ['feedback'])).token;
    adminToken = (await createTestToken(platform, ['admin'])).token;
    serving = await startTestServer(platform, [modelName], { maxInstances: 50, maxBodyBytes: 64 * 1024 });
  });

  afterAll(async () => {
    await serving?.close();
    await platform?.stop();
  });

  it('answers a single-row and a batch prediction with labels, class probabilities, prediction ids, model and version', async () => {
    const single = await predict({ instances: [adelie] });
    expect(single.status).toBe(200);
    expect(single.body).toMatchObject({ predictions: ['Adelie'], model: modelName, version: 1 });
    const [probabilities] = single.body.probabilities as Record<string, number>[];
    expect(Object.keys(probabilities).sort()).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    expect(Object.values(probabilities).reduce((sum, value) => sum + value, 0)).toBeCloseTo(1, 9);
    expect(probabilities.Adelie).toBeGreaterThan(0.5);
    expect(single.body.predictionIds).toEqual([expect.stringMatching(/^[0-9a-f-]{36}$/)]);

    const batch = await predict({ instances: [adelie, gentoo, adelie] });
    expect(batch.status).toBe(200);
    expect(batch.body.predictions).toEqual(['Adelie', 'Gentoo', 'Adelie']);
    expect(new Set(batch.body.predictionIds as string[]).size).toBe(3);
  });

  it('describes what it serves: GET /v1/models and /v1/models/<name> with version, readiness and inputs', async () => {
    const one = await request(`${serving.url}/v1/models/${modelName}`, { token: predictToken });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      name: modelName,
      ready: true,
      version: 1,
      versions: { champion: { version: 1 }, challenger: null },
      task: 'multiclass',
      classes: ['Adelie', 'Chinstrap', 'Gentoo'],
    });
    // Required unless the spec's serving.allowMissing lists it (whether or not training had gaps there).
    expect(one.body.inputs).toEqual([
      { name: 'Island', type: 'string', required: true },
      { name: 'Beak Length (mm)', type: 'number', required: false },
      { name: 'Beak Depth (mm)', type: 'number', required: true },
      { name: 'Flipper Length (mm)', type: 'number', required: true },
      { name: 'Body Mass (g)', type: 'number', required: false },
    ]);

    // KServe V1's listing is the names; ?details=true describes each.
    const all = await request(`${serving.url}/v1/models`, { token: predictToken });
    expect(all.status).toBe(200);
    expect(all.body).toEqual({ models: [modelName] });
    const detailed = await request(`${serving.url}/v1/models?details=true`, { token: predictToken });
    const described = detailed.body.models as { name: string; inputs: unknown[] }[];
    expect(described.map((model) => model.name)).toEqual([modelName]);
    expect(described[0].inputs).toEqual(one.body.inputs);
  });

  it.each(invalidRequests)(
    'refuses %s before anything reaches the model',
    async (_, input, status, code, message) => {
      const before = serving.server.metrics.predictions.get(modelName, '1', 'Adelie');
      const response = await request(predictUrl(), { ...input, token: predictToken });
      expect(response.status).toBe(status);
      expect(response.body.error).toMatchObject({ code, message: expect.stringMatching(message) });
      expect(serving.server.metrics.predictions.get(modelName, '1', 'Adelie')).toBe(before);
    },
  );

  it('publishes /openapi.json whose request schemas accept what the server accepts and refuse what it refuses', async () => {
    expect((await request(`${serving.url}/openapi.json`)).status).toBe(401);
    const response = await request(`${serving.url}/openapi.json`, { token: predictToken });
    expect(response.status).toBe(200);
    const document = response.body as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: object };
    };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        `/v1/models/${modelName}:predict`,
        `/v2/models/${modelName}/infer`,
        '/v2/health/ready',
      ]),
    );
    // OpenAPI's own keywords (format: uuid) are not JSON Schema checks; the rest compiles strictly.
    const ajv = new Ajv2020({
      strict: true,
      strictRequired: false,
      allowUnionTypes: true,
      validateFormats: false,
    });
    ajv.addKeyword('components'); // the document's, holding the schemas the refs point into
    ajv.addSchema({ $id: 'openapi', components: document.components });
    const accepts = ajv.compile({ $ref: `openapi#/components/schemas/${modelName}.predictRequest` });
    const { 'Beak Length (mm)': _left, ...noBeakLength } = adelie;
    for (const body of [
      { instances: [adelie, gentoo] },
      { inputs: [gentoo], requestKey: 'k' },
      { instances: [{ ...noBeakLength, 'Body Mass (g)': null }] },
    ]) {
      expect(accepts(body), JSON.stringify(accepts.errors)).toBe(true);
      expect((await predict(body)).status).toBe(200);
    }
    // Every refused body the schema can see (not a body over the byte limit, not raw JSON text).
    for (const [what, input] of invalidRequests) {
      if (input.body === undefined || what === 'an oversized body') continue;
      expect(accepts(JSON.parse(JSON.stringify(input.body))), what).toBe(false);
    }
    expect(accepts({ instances: [{ ...adelie, 'Flipper Length (mm)': null }] })).toBe(false);
    expect(accepts({ instances: [adelie], inputs: [adelie] })).toBe(false);
  });

  it('lists every problem of a request at once, each with its instance index and field', async () => {
    const response = await predict({
      instances: [adelie, { ...adelie, Island: 1, 'Body Mass (g)': 'heavy' }, { ...gentoo, colour: 'black' }],
    });
    expect(response.status).toBe(400);
    expect((response.body.error as { problems: unknown[] }).problems).toEqual([
      { index: 1, field: 'Island', problem: 'must be a string, not a number (1)' },
      { index: 1, field: 'Body Mass (g)', problem: 'must be a number, not a string ("heavy")' },
      { index: 2, field: 'colour', problem: expect.stringMatching(/^is not an input of this model/) },
    ]);
  });

  it('accepts an island it never saw (unknown category), and leaves out only what serving.allowMissing lists, saying what was imputed', async () => {
    const { 'Beak Length (mm)': _absent, ...withoutBeakLength } = adelie;
    const response = await predict({
      instances: [{ ...withoutBeakLength, Island: 'Atlantis', 'Body Mass (g)': null }, gentoo],
    });
    expect(response.status).toBe(200);
    expect(response.body.predictions).toEqual([
      expect.stringMatching(/^(Adelie|Chinstrap|Gentoo)$/),
      'Gentoo',
    ]);
    expect(response.body.imputed).toEqual([['Beak Length (mm)', 'Body Mass (g)'], []]);

    // Four of five measurements missing (two training rows lacked every one): refused, naming each
    // field the spec does not let a request leave out.
    const sparse = await predict({ instances: [{ Island: 'Biscoe', 'Body Mass (g)': 4500 }] });
    expect(sparse.status).toBe(400);
    expect((sparse.body.error as { problems: unknown[] }).problems).toEqual([
      { index: 0, field: 'Beak Depth (mm)', problem: expect.stringMatching(/^is missing: it is required/) },
      { index: 0, field: 'Flipper Length (mm)', problem: expect.stringMatching(/serving\.allowMissing/) },
    ]);
  });

  it('takes the instances as "inputs" too (KServe V1), but not both fields at once', async () => {
    const response = await predict({ inputs: [gentoo] });
    expect(response.status).toBe(200);
    expect(response.body.predictions).toEqual(['Gentoo']);
    const both = await predict({ inputs: [gentoo], instances: [gentoo] });
    expect(both.status).toBe(400);
    expect(both.body.error).toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/not both/),
    });
  });

  it('answers 404 for a model it does not serve or an unknown path, and 405 for a wrong method', async () => {
    const unknown = await request(`${serving.url}/v1/models/no-such-model:predict`, {
      body: { instances: [adelie] },
      token: predictToken,
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({
      code: 'model_not_found',
      message: expect.stringContaining(modelName),
    });
    expect((await request(`${serving.url}/v1/models/no-such-model`, { token: predictToken })).status).toBe(
      404,
    );
    expect((await request(`${serving.url}/v3/models`, { token: predictToken })).status).toBe(404);
    const wrongMethod = await request(predictUrl(), { method: 'GET', token: predictToken });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    // Counted under its route, not as an unknown path.
    const metrics = await (await fetch(`${serving.url}/metrics`)).text();
    expect(metrics).toMatch(
      /mlops_serving_errors_total\{route="predict",model="",version="",status="405",code="method_not_allowed"\} [1-9]/,
    );
  });

  it('refuses a missing, malformed, unknown or revoked token (401) and a token without the scope (403); health and metrics need none', async () => {
    const missing = await predict({ instances: [adelie] }, '');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer realm="mlops"/);
    const malformed = await request(predictUrl(), {
      body: { instances: [adelie] },
      headers: { authorization: 'Basic dXNlcjpwdw==' },
    });
    expect(malformed.status).toBe(401);
    expect((await predict({ instances: [adelie] }, 'mlops_not-a-real-token')).status).toBe(401);

    const wrongScope = await predict({ instances: [adelie] }, feedbackToken);
    expect(wrongScope.status).toBe(403);
    expect(wrongScope.body.error).toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('lacks the predict scope'),
    });
    expect((await request(`${serving.url}/v1/models`, { token: feedbackToken })).status).toBe(403);
    const feedbackWithPredictToken = await request(`${serving.url}/v1/models/${modelName}/feedback`, {
      body: { feedback: [] },
      token: predictToken,
    });
    expect(feedbackWithPredictToken.status).toBe(403);
    expect((await predict({ instances: [adelie] }, adminToken)).status).toBe(200);

    const revocable = await createTestToken(platform, ['predict']);
    await eventually(
      async () => (await predict({ instances: [adelie] }, revocable.token)).status === 200,
      'the new token works',
    );
    await revokeApiToken(platform.database.db, revocable.name);
    await eventually(
      async () => (await predict({ instances: [adelie] }, revocable.token)).status === 401,
      'the revoked token is refused',
    );
    expect((await predict({ instances: [adelie] }, revocable.token)).body.error).toMatchObject({
      message: expect.stringContaining('revoked'),
    });

    for (const path of ['/healthz', '/readyz', '/metrics'])
      expect((await request(`${serving.url}${path}`)).status).toBe(200);
  });

  it('stores feedback labels by prediction id, replaces a label sent again and reports ids it does not know', async () => {
    const answered = await predict({ instances: [adelie, gentoo] });
    const [first, second] = answered.body.predictionIds as string[];
    const unknownId = '00000000-0000-4000-8000-000000000000';
    const feedbackUrl = `${serving.url}/v1/models/${modelName}/feedback`;
    const stored = await request(feedbackUrl, {
      body: {
        feedback: [
          { predictionId: first, label: 'Adelie' },
          { predictionId: second, label: 'Chinstrap' },
          { predictionId: unknownId, label: 'Adelie' },
        ],
      },
      token: feedbackToken,
    });
    expect(stored.status).toBe(200);
    expect(stored.body).toEqual({
      stored: 2,
      results: [
        { predictionId: first, status: 'stored' },
        { predictionId: second, status: 'stored' },
        { predictionId: unknownId, status: 'unknown_prediction' },
      ],
    });
    const replaced = await request(feedbackUrl, {
      body: { feedback: [{ predictionId: second, label: 'Gentoo' }] },
      token: adminToken,
    });
    expect(replaced.body).toMatchObject({ stored: 1 });
    const labels = await platform.database.pool.query<{ prediction_id: string; label: string }>(
      'select prediction_id, label from label_feedback where prediction_id = any($1::uuid[]) order by label',
      [[first, second]],
    );
    expect(labels.rows).toEqual([
      { prediction_id: first, label: 'Adelie' },
      { prediction_id: second, label: 'Gentoo' },
    ]);

    const malformed = await request(feedbackUrl, {
      body: {
        feedback: [
          { predictionId: 'nope', label: 'Adelie' },
          { predictionId: first, label: 'Emperor' },
        ],
      },
      token: feedbackToken,
    });
    expect(malformed.status).toBe(400);
    expect((malformed.body.error as { problems: unknown[] }).problems).toEqual([
      { index: 0, field: 'predictionId', problem: 'must be the UUID a prediction returned' },
      { index: 1, field: 'label', problem: expect.stringMatching(/^"Emperor" is not a class of this model/) },
    ]);
  });

  it('exposes Prometheus metrics: requests and errors by route, model, version and status, latency, predictions per class, queue depth', async () => {
    await predict({ instances: [adelie] });
    await predict({ instances: [{ ...adelie, Island: 7 }] });
    const response = await fetch(`${serving.url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toMatch(
      new RegExp(
        `mlops_serving_requests_total\\{route="predict",model="${modelName}",version="1",status="200"\\} \\d+`,
      ),
    );
    expect(text).toMatch(
      new RegExp(
        `mlops_serving_errors_total\\{route="predict",model="${modelName}",version="1",status="400",code="invalid_input"\\} \\d+`,
      ),
    );
    expect(text).toMatch(
      new RegExp(`mlops_serving_predictions_total\\{model="${modelName}",version="1",class="Adelie"\\} \\d+`),
    );
    expect(text).toMatch(/mlops_serving_request_duration_seconds_bucket\{route="predict",.*le="\+Inf"\} \d+/);
    expect(text).toContain('mlops_serving_prediction_log_dropped_total 0');
    expect(text).toMatch(/mlops_serving_prediction_log_queue_rows \d+/);
    expect(text).toMatch(/mlops_serving_in_flight_requests \d+/);
  });

  it('works from the CLI: `mlops tokens create` prints a token that `mlops predict --input file.jsonl` uses', async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'mlops-predict-'));
    try {
      const name = `cli-${randomUUID().slice(0, 8)}`;
      const created = spawnMlops(
        ['tokens', 'create', '--name', name, '--scopes', 'predict', '--json'],
        stackEnvironment(),
      );
      expect(await created.exited, created.stderr()).toBe(0);
      const { token } = (await created.json) as { token: string };
      expect(token).toMatch(/^mlops_[A-Za-z0-9_-]{43}$/);

      const input = path.join(folder, 'penguins.jsonl');
      await writeFile(input, `${JSON.stringify(adelie)}\n\n${JSON.stringify(gentoo)}\n`);
      const env = { MLOPS_SERVING_URL: serving.url, MLOPS_API_TOKEN: token, MLOPS_HOME: folder };
      await eventually(
        async () => (await predict({ instances: [adelie] }, token)).status === 200,
        'the new token works',
      );
      const predicted = spawnMlops(['predict', modelName, '--input', input, '--json'], env);
      expect(await predicted.exited, predicted.stderr()).toBe(0);
      expect(await predicted.json).toMatchObject({
        model: modelName,
        predictions: [
          { line: 1, prediction: 'Adelie', version: 1 },
          { line: 3, prediction: 'Gentoo', version: 1 },
        ],
      });

      await writeFile(input, `${JSON.stringify(adelie)}\n${JSON.stringify({ ...gentoo, Island: 4 })}\n`);
      const refused = spawnMlops(['predict', modelName, '--input', input], env);
      expect(await refused.exited).toBe(1);
      expect(refused.stderr()).toContain('line 2: field "Island": must be a string, not a number (4)');
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
