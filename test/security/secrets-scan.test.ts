import { readFile } from 'node:fs/promises';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPayloadKeysFile } from '../../config/payload-keys.js';
import { lifecycleWorkflowId } from '../../contracts/lifecycle.js';
import { auditEvents, pipelineRuns, stageRuns } from '../../db/schema.js';
import { decodedHistoryText } from '../support/histories.js';
import { quickPenguinsSpec, runPipeline } from '../support/pipeline.js';
import {
  startTestPlatform,
  testArtifactStore,
  testConnections,
  type TestPlatform,
} from '../support/platform.js';
import { adelie } from '../support/serving-requests.js';
import { createTestToken, request, startTestServer, type TestServer } from '../support/serving.js';

const PII_KEY = 'scan-key-0123456789abcdef0123456789abcdef';

/**
 * The platform's secrets (API tokens, the PostgreSQL password, the S3 secret key, the payload and
 * PII keys) in none of what it writes for people to read: log lines of workers and the prediction
 * server at debug level, the decoded event histories of a run and of the model's lifecycle (what
 * the Temporal UI shows through the codec server), the run's records and audit events, the objects
 * it stored in S3, and the server's answers and metrics, refused requests included.
 */
describe('secrets in logs, histories, records, artifacts and metrics', () => {
  let platform: TestPlatform;
  let serving: TestServer;
  const logLines: string[] = [];
  const store = testArtifactStore();

  beforeAll(async () => {
    platform = await startTestPlatform({ pools: ['cpu'], env: { MLOPS_PII_HMAC_KEY: PII_KEY }, logLines });
  });

  afterAll(async () => {
    await serving?.close();
    await platform?.stop();
    store.client.destroy();
  });

  it('shows none of them anywhere', { timeout: 120_000 }, async () => {
    const spec = quickPenguinsSpec();
    const result = await runPipeline(platform, spec);
    expect(result.status).toBe('succeeded');
    const predictToken = (await createTestToken(platform, ['predict'])).token;
    const adminToken = (await createTestToken(platform, ['admin'])).token;
    serving = await startTestServer(platform, [spec.name], {}, { logLines });

    const predictUrl = `${serving.url}/v1/models/${spec.name}:predict`;
    const answers = [
      await request(predictUrl, { body: { instances: [adelie] }, token: predictToken }),
      await request(predictUrl, { body: { instances: [adelie] }, token: `${predictToken}x` }),
      await request(predictUrl, { body: { instances: [{ Island: 3 }] }, token: adminToken }),
      await request(`${serving.url}/v1/models/${spec.name}`, { token: adminToken }),
      await request(`${serving.url}/v1/models/${spec.name}/feedback`, {
        body: { feedback: [{ predictionId: 'nope', label: 'Adelie' }] },
        token: predictToken,
      }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([200, 401, 400, 200, 403]);
    const metrics = await (await fetch(`${serving.url}/metrics`)).text();

    const connections = testConnections();
    const keyRing = readPayloadKeysFile(connections.temporal.payloadKeysFile!);
    const secrets: Record<string, string> = {
      'the predict token': predictToken,
      'the admin token': adminToken,
      'the PostgreSQL password': decodeURIComponent(new URL(connections.databaseUrl).password),
      'the S3 secret key': connections.s3.credentials!.secretAccessKey,
      'the PII key': PII_KEY,
      ...Object.fromEntries(
        [...keyRing.keys].map(([id, key]) => [`payload key ${id}`, Buffer.from(key).toString('base64')]),
      ),
    };
    for (const [what, value] of Object.entries(secrets))
      expect(value.length, what).toBeGreaterThanOrEqual(16);

    const converter = platform.client.temporal.options.loadedDataConverter;
    const history = (workflowId: string) =>
      platform.client.temporal.workflow
        .getHandle(workflowId)
        .fetchHistory()
        .then((events) => decodedHistoryText(converter, events));
    const [run] = await platform.database.db
      .select()
      .from(pipelineRuns)
      .where(eq(pipelineRuns.workflowId, result.workflowId));
    const stages = await platform.database.db
      .select()
      .from(stageRuns)
      .where(eq(stageRuns.pipelineRunId, run.id));
    const audit = await platform.database.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.subject, spec.name));
    const stored: string[] = [];
    for (const kind of ['datasets', 'splits', 'models', 'evaluations', 'curves', 'reports'])
      for await (const object of store.list(`${kind}/${spec.name}/`))
        if (!object.key.endsWith('.parquet'))
          stored.push((await store.getBuffer(object.key)).toString('utf8'));

    const places: Record<string, string> = {
      'log lines': logLines.join('\n'),
      'the run history (decoded)': await history(result.workflowId),
      'the lifecycle history (decoded)': await history(lifecycleWorkflowId(spec.name)),
      'pipeline_runs and stage_runs': JSON.stringify([run, stages]),
      'audit events': JSON.stringify(audit),
      'objects in S3': stored.join('\n'),
      'serving answers': JSON.stringify(answers.map((answer) => [answer.body, [...answer.headers]])),
      'serving metrics': metrics,
    };
    // Each place holds something to search: the scan cannot pass by looking at nothing.
    expect(places['log lines']).toContain(result.workflowId);
    expect(places['the run history (decoded)']).toContain(spec.dataset.uri);
    expect(places['the lifecycle history (decoded)']).toContain('promote');
    expect(places['objects in S3'].length).toBeGreaterThan(10_000);
    expect(places['serving metrics']).toContain('mlops_serving_requests_total');
    for (const [place, text] of Object.entries(places))
      for (const [what, value] of Object.entries(secrets))
        expect(text.includes(value), `${what} appears in ${place}`).toBe(false);
    // The key file itself is the one place a payload key is written.
    expect(await readFile(connections.temporal.payloadKeysFile!, 'utf8')).toContain(
      Object.values(secrets).at(-1),
    );
  });
});
