import { execFile } from 'node:child_process';
import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pythonEnvironment } from '../../activities/trainers/python-environment.js';
import { predictionLogs } from '../../db/schema.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import {
  createTestToken,
  eventually,
  PENGUIN_MEASUREMENTS,
  request,
  startTestServer,
  trainServedModel,
  type TestServer,
} from '../support/serving.js';
import { adelie, gentoo } from '../support/serving-requests.js';

type Row = Record<string, string | number | null>;
interface ClientAnswer {
  readonly response: Record<string, unknown>;
  readonly predictions: string[];
  readonly probabilities: number[][];
}
/** What test/support/open-inference-client.py prints. */
interface ClientReport {
  readonly live: boolean;
  readonly ready: boolean;
  readonly modelReady: boolean;
  readonly server: Record<string, unknown>;
  readonly metadata: { inputs: unknown[] };
  readonly default: ClientAnswer;
  readonly chosen: ClientAnswer;
  readonly pinned: ClientAnswer;
  readonly ids: string[];
  readonly errors: Record<string, unknown>;
}
interface Tensor {
  readonly name: string;
  readonly datatype: string;
  readonly shape: number[];
  readonly data: unknown[];
  readonly parameters?: Record<string, string>;
}

/** One [N] tensor per input of the penguins model, from rows of instances. */
function tensors(rows: readonly Row[], datatypes: Record<string, string> = {}) {
  return Object.keys(adelie).map((name) => ({
    name,
    shape: [rows.length],
    datatype: datatypes[name] ?? (name === 'Island' ? 'BYTES' : 'FP64'),
    data: rows.map((row) => row[name]),
  }));
}

describe('prediction server: the Open Inference Protocol (KServe V2)', () => {
  let platform: TestPlatform;
  let serving: TestServer;
  let modelName: string;
  let token: string;
  let feedbackOnly: string;
  const v2 = (path: string, options: { body?: unknown; token?: string; method?: string } = {}) =>
    request(`${serving.url}/v2${path}`, { token, ...options });
  const infer = (body: unknown, path = '') => v2(`/models/${modelName}${path}/infer`, { body });

  beforeAll(async () => {
    platform = await startTestPlatform({ pools: ['cpu'] });
    modelName = await trainServedModel(platform);
    token = (await createTestToken(platform, ['predict'])).token;
    // Made before the server starts, which reads the tokens then (a later one arrives by NOTIFY).
    feedbackOnly = (await createTestToken(platform, ['feedback'])).token;
    serving = await startTestServer(platform, [modelName], { maxInstances: 50 });
  });

  afterAll(async () => {
    await serving?.close();
    await platform?.stop();
  });

  it('answers health, server and model metadata with typed inputs and outputs, and model readiness', async () => {
    expect((await v2('/health/live', { token: undefined })).body).toEqual({ live: true });
    expect((await v2('/health/ready', { token: undefined })).status).toBe(200);
    expect((await v2('', { token: undefined })).body).toMatchObject({ name: 'mlops', extensions: [] });
    const metadata = await v2(`/models/${modelName}`);
    expect(metadata.status).toBe(200);
    expect(metadata.body).toEqual({
      name: modelName,
      versions: ['1'],
      platform: 'mlops',
      inputs: [
        { name: 'Island', datatype: 'BYTES', shape: [-1] },
        ...PENGUIN_MEASUREMENTS.map((name) => ({ name, datatype: 'FP64', shape: [-1] })),
      ],
      outputs: [
        { name: 'predictions', datatype: 'BYTES', shape: [-1] },
        { name: 'probabilities', datatype: 'FP64', shape: [-1, 3] },
        { name: 'prediction_ids', datatype: 'BYTES', shape: [-1] },
        { name: 'imputed', datatype: 'BYTES', shape: [-1] },
      ],
    });
    expect((await v2(`/models/${modelName}/versions/1`)).body).toEqual(metadata.body);
    expect((await v2(`/models/${modelName}/ready`)).body).toEqual({ name: modelName, ready: true });
    expect((await v2(`/models/${modelName}/versions/1/ready`)).status).toBe(200);
    expect((await v2(`/models/${modelName}/versions/2/ready`)).status).toBe(404);
  });

  it('infers from named tensors, logs every prediction by its id, and says what it imputed', async () => {
    const { 'Body Mass (g)': _left, ...noMass } = adelie;
    const answer = await infer({
      id: 'request-7',
      inputs: [
        ...tensors([adelie, gentoo, { ...noMass, 'Body Mass (g)': null }]).slice(0, 4),
        // [N, 1] and nested data are the same tensor.
        { name: 'Body Mass (g)', shape: [3, 1], datatype: 'INT64', data: [[3750], [4500], [null]] },
      ],
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ model_name: modelName, model_version: '1', id: 'request-7' });
    const outputs = Object.fromEntries(
      (answer.body.outputs as Tensor[]).map((output) => [output.name, output]),
    );
    expect(Object.keys(outputs)).toEqual(['predictions', 'probabilities', 'prediction_ids', 'imputed']);
    expect(outputs.predictions).toEqual({
      name: 'predictions',
      datatype: 'BYTES',
      shape: [3],
      data: ['Adelie', 'Gentoo', 'Adelie'],
    });
    expect(outputs.probabilities.shape).toEqual([3, 3]);
    expect(JSON.parse(outputs.probabilities.parameters!.classes)).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    const probabilities = outputs.probabilities.data as number[];
    const [first, second, third] = [0, 3, 6].map((start) => probabilities.slice(start, start + 3));
    for (const row of [first, second, third])
      expect(row.reduce((sum, value) => sum + value, 0)).toBeCloseTo(1, 9);
    expect(first[0]).toBeGreaterThan(0.5);
    expect(outputs.imputed.data).toEqual(['[]', '[]', '["Body Mass (g)"]']);
    const ids = outputs.prediction_ids.data as string[];
    await eventually(async () => {
      const rows = await platform.database.db
        .select()
        .from(predictionLogs)
        .where(inArray(predictionLogs.predictionId, ids));
      return rows.length === 3 && rows.some((row) => row.output === 'Gentoo');
    }, 'the predictions are logged');

    // Only the outputs asked for; the client's binary-data wish is answered in JSON.
    const some = await infer({
      parameters: { binary_data_output: true },
      inputs: tensors([gentoo]),
      outputs: [{ name: 'predictions', parameters: { binary_data: true } }],
    });
    expect(some.body.outputs).toEqual([
      { name: 'predictions', datatype: 'BYTES', shape: [1], data: ['Gentoo'] },
    ]);
  });

  it.each([
    [
      "an input that is not the model's",
      { inputs: [...tensors([adelie]), { name: 'Sex', shape: [1], datatype: 'BYTES', data: ['MALE'] }] },
      400,
      /"Sex".*is not an input of this model/,
    ],
    [
      'a datatype that does not fit',
      { inputs: tensors([adelie], { 'Body Mass (g)': 'BYTES' }) },
      400,
      /"Body Mass \(g\)".*datatype "BYTES" does not fit a number input: use FP64/,
    ],
    [
      'an element of another kind',
      { inputs: tensors([{ ...adelie, 'Beak Depth (mm)': '18.7' }]) },
      400,
      /element 0 \("18.7"\) is not a FP64 value/,
    ],
    [
      "a shape that is not the data's",
      { inputs: tensors([adelie]).map((tensor) => ({ ...tensor, shape: [2] })) },
      400,
      /shape \[2\] says 2 elements, data has 1/,
    ],
    [
      'inputs of different lengths',
      { inputs: [...tensors([adelie, gentoo]).slice(0, 4), ...tensors([adelie]).slice(4)] },
      400,
      /has 1 elements, the inputs before it 2/,
    ],
    [
      'a required input left out',
      { inputs: tensors([adelie]).slice(1) },
      400,
      /field "Island": is missing: it is required/,
    ],
    [
      'an output the model does not have',
      { inputs: tensors([adelie]), outputs: [{ name: 'scores' }] },
      400,
      /"scores" is not an output of this model/,
    ],
    [
      'an unknown request field',
      { inputs: tensors([adelie]), instances: [] },
      400,
      /"instances" is not a field of an inference request/,
    ],
    [
      'a parameter the server does not act on',
      { inputs: tensors([adelie]), parameters: { priority: 1 } },
      400,
      /parameter "priority"/,
    ],
    [
      'too many instances',
      { inputs: tensors(Array.from({ length: 51 }, () => adelie)) },
      413,
      /51 instances, more than 50/,
    ],
  ])('refuses %s with {"error": "..."} and stores nothing', async (_, body, status, message) => {
    const before = serving.server.metrics.predictions.get(modelName, '1', 'Adelie');
    const answer = await infer(body);
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual({ error: expect.stringMatching(message) });
    expect(serving.server.metrics.predictions.get(modelName, '1', 'Adelie')).toBe(before);
  });

  it("uses V1's tokens and counts its routes in /metrics, a 405 under its own route", async () => {
    expect((await v2(`/models/${modelName}`, { token: undefined })).status).toBe(401);
    expect((await infer({ inputs: tensors([adelie]) }, '')).status).toBe(200);
    expect(
      (await v2(`/models/${modelName}/infer`, { body: { inputs: tensors([adelie]) }, token: feedbackOnly }))
        .status,
    ).toBe(403);
    expect((await v2(`/models/${modelName}/infer`, { method: 'GET' })).status).toBe(405);
    const missing = await v2('/models/no-such-model/infer', { body: { inputs: tensors([adelie]) } });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: expect.stringContaining('no model named "no-such-model"') });
    expect((await v2('/repository/index')).body).toEqual({ error: expect.stringMatching(/^no route/) });
    const metrics = await (await fetch(`${serving.url}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(
        `mlops_serving_requests_total\\{route="v2_infer",model="${modelName}",version="1",status="200"\\} [1-9]`,
      ),
    );
    expect(metrics).toMatch(
      /mlops_serving_errors_total\{route="v2_infer",model="",version="",status="405",code="method_not_allowed"\} 1/,
    );
  });

  it('serves a real V2 client: NVIDIA tritonclient (HTTP) reads metadata, infers and gets the same answers', async () => {
    const environment = await pythonEnvironment('tritonclient[http]==2.73.0\n', {
      log: () => undefined,
      signal: AbortSignal.timeout(10 * 60 * 1000),
    });
    const rows = [adelie, gentoo];
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = execFile(
        `${environment.binDirectory}/python`,
        ['test/support/open-inference-client.py'],
        { timeout: 120_000 },
        (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
      );
      child.stdin!.end(JSON.stringify({ url: serving.url, token, model: modelName, rows }));
    });
    const report = JSON.parse(stdout) as ClientReport;
    expect(report).toMatchObject({ live: true, ready: true, modelReady: true, server: { name: 'mlops' } });
    expect(report.metadata.inputs[0]).toEqual({ name: 'Island', datatype: 'BYTES', shape: [-1] });
    const v1 = await request(`${serving.url}/v1/models/${modelName}:predict`, {
      token,
      body: { instances: rows },
    });
    for (const call of ['default', 'chosen', 'pinned'] as const) {
      expect(report[call].predictions).toEqual(['Adelie', 'Gentoo']);
      const v1Probabilities = (v1.body.probabilities as Record<string, number>[]).map((row) => [
        row.Adelie,
        row.Chinstrap,
        row.Gentoo,
      ]);
      report[call].probabilities.forEach((row, index) =>
        row.forEach((value, column) => expect(value).toBeCloseTo(v1Probabilities[index][column], 6)),
      );
    }
    expect(report.default.response).toMatchObject({ id: 'r-1', model_version: '1' });
    expect(report.ids).toHaveLength(2);
    expect(report.errors).toEqual({
      wrongDatatype: {
        status: '400',
        message: expect.stringMatching(/datatype "BYTES" does not fit a number input/),
      },
      unknownVersion: { status: '404', message: expect.stringMatching(/version "99" .* is not served here/) },
      noToken: { status: '401', message: expect.stringMatching(/token/i) },
    });
  });
});
