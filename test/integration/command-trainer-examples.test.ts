import { readFileSync } from 'node:fs';
import { MockActivityEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDriftWindowActivities } from '../../activities/loop/drift-window.js';
import { createProductionDataActivities } from '../../activities/loop/production-data.js';
import { packageTrainerCode } from '../../client/trainer-code.js';
import type { DriftWindowOutput, ProductionDataOutput } from '../../contracts/loop-stages.js';
import { isOnnxModelDocument, onnxExpectation, type OnnxModelDocument } from '../../contracts/onnx-model.js';
import type { PipelineResult } from '../../contracts/pipeline.js';
import { artifacts } from '../../db/schema.js';
import { loadOnnxScorer } from '../../ml/onnx/index.js';
import { parseSpec } from '../../spec/parse.js';
import type { PipelineSpec } from '../../spec/types.js';
import { runPipeline, stageRunsOf, versionsOf } from '../support/pipeline.js';
import {
  startTestPlatform,
  testActivityDependencies,
  testArtifactStore,
  type TestPlatform,
} from '../support/platform.js';
import { logPredictions, penguinRows, type Row } from '../support/predictions.js';
import { createTestToken, request, startTestServer, type TestServer } from '../support/serving.js';
import { flightRows } from '../support/flights.js';

/**
 * The command trainer examples (examples/trainers) end to end with real Python: each one's
 * environment built by the worker from its spec's requirements, trained, its ONNX model evaluated
 * by onnxruntime, registered and promoted, served over KServe V1, and monitored.
 */
describe.each([
  {
    example: 'sklearn',
    metric: 'accuracy',
    floor: 0.95,
    rows: async () => penguinRows(),
    requirement: 'scikit-learn==1.9.1',
  },
  {
    example: 'lightgbm',
    metric: 'auc',
    floor: 0.6,
    rows: () => flightRows(2000),
    requirement: 'lightgbm==4.7.0',
  },
])('the $example command trainer example', ({ example, metric, floor, rows, requirement }) => {
  let platform: TestPlatform;
  let serving: TestServer;
  let result: PipelineResult;
  let document: OnnxModelDocument;
  let token: string;
  let parsedSpec: PipelineSpec;
  const store = testArtifactStore();
  const activityDependencies = () => testActivityDependencies(platform, store);
  const stageOf = async (workflowId: string, name: string) =>
    (await stageRunsOf(platform.database.db, workflowId)).find((stage) => stage.stage === name);
  const folder = `examples/trainers/${example}`;

  beforeAll(async () => {
    platform = await startTestPlatform({ pools: ['cpu'] });
    const spec = parse(readFileSync(`${folder}/spec.yaml`, 'utf8')) as Record<string, unknown>;
    // One training, no tuning: the environment build is what this test pays for.
    const train = {
      ...(spec.train as Record<string, unknown>),
      search: undefined,
      maxParallelTrials: undefined,
    };
    const parsed = parseSpec({ ...spec, name: `${example}-${Date.now().toString(36)}`, train });
    parsedSpec = await packageTrainerCode(parsed, folder, store);
    result = await runPipeline(platform, parsedSpec);
    const [version] = await versionsOf(platform, parsed.name);
    if (version?.modelArtifactId) {
      const [file] = await platform.database.db
        .select()
        .from(artifacts)
        .where(eq(artifacts.id, version.modelArtifactId));
      const value: unknown = JSON.parse((await store.getBuffer(store.keyOf(file.uri))).toString('utf8'));
      if (isOnnxModelDocument(value)) document = value;
    }
    // Created before the server starts, which reads tokens when it does.
    token = (await createTestToken(platform, ['predict'])).token;
    serving = await startTestServer(platform, [parsed.name]);
  }, 600_000);

  afterAll(async () => {
    await serving?.close();
    await platform?.stop();
    store.client.destroy();
  });

  it('trains in an environment built from its requirements, and passes its gates', async () => {
    expect(result.status, JSON.stringify(result.error)).toBe('succeeded');
    expect(result.metrics[metric]).toBeGreaterThan(floor);
    expect(result.promoted).toBe(true);
    expect(document?.format).toBe('mlops.onnx-model/v1');
    const train = await stageOf(result.workflowId, 'train');
    const environment = (train?.outputs as { pythonEnvironment: { packages: string[] } }).pythonEnvironment;
    expect(environment.packages).toContain(requirement);
  });

  it('answers KServe V1 predictions with the probabilities onnxruntime gives offline', async () => {
    const instances = (await rows())
      .slice(0, 40)
      .map((row: Row) =>
        Object.fromEntries(document.features.map((feature) => [feature, row[feature] ?? null])),
      );
    const answer = await request(`${serving.url}/v1/models/${result.model?.name}:predict`, {
      method: 'POST',
      token,
      body: { instances },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    // Rows lacking inputs the spec lets be missing (penguins' row 3 lacks every measurement) are
    // answered, each saying which it left out.
    expect(answer.body.imputed).toEqual(
      instances.map((instance) =>
        parsedSpec.serving.allowMissing.filter((feature) => instance[feature] === null),
      ),
    );
    const offline = await loadOnnxScorer(
      await store.getBuffer(store.keyOf(document.onnx.uri)),
      onnxExpectation(document),
    );
    const expected = await offline.predictRecords(instances);
    await offline.release();
    const served = answer.body.probabilities as Record<string, number>[];
    expected.forEach((prediction, index) => {
      if (prediction.task === 'regression') throw new Error('a classifier was expected');
      document.target.classes!.forEach((label, position) =>
        expect(served[index][label]).toBeCloseTo(prediction.probabilities[position], 6),
      );
      expect((answer.body.predictions as string[])[index]).toBe(prediction.label);
    });
  });

  it('is monitored like a built-in model: drift against its reference profile and the live metric', async () => {
    const [version] = await versionsOf(platform, result.model!.name);
    const start = Date.UTC(2031, 0, 1);
    const logged = await rows();
    await logPredictions(platform.database.db, {
      modelVersionId: version.id,
      rows: logged,
      target: document.target.name,
      at: new Date(start + 1000),
    });
    const activities = createDriftWindowActivities(activityDependencies());
    const window = (await new MockActivityEnvironment().run(activities.computeDriftWindow, {
      modelName: result.model!.name,
      windowStart: start,
      windowEnd: start + 2000,
    })) as DriftWindowOutput;
    expect(window.rows).toBe(logged.length);
    expect(window.maxPsi).not.toBeNull();
    expect(window.liveMetric).toMatchObject({ name: metric });
    expect(window.liveMetric?.value).toBeGreaterThan(floor - 0.1);
  });

  it("is retrained the monitor's way: the command runs again, on the production data", async () => {
    const [version] = await versionsOf(platform, result.model!.name);
    // Labeled traffic over five minutes, so the time split on when rows were logged has a past and a present.
    const start = Date.UTC(2032, 0, 1);
    const logged = await rows();
    const batches = 5;
    for (let batch = 0; batch < batches; batch += 1)
      await logPredictions(platform.database.db, {
        modelVersionId: version.id,
        rows: logged.filter((_, index) => index % batches === batch),
        target: document.target.name,
        at: new Date(start + batch * 60_000),
      });
    const production = (await new MockActivityEnvironment().run(
      createProductionDataActivities(activityDependencies()).snapshotProductionData,
      {
        modelName: result.model!.name,
        windowStart: start,
        windowEnd: start + batches * 60_000,
        includeTrainingData: false,
      },
    )) as ProductionDataOutput;
    expect(production.spec.train).toMatchObject({ trainer: 'command', command: parsedSpec.train.command });

    const retrained = await runPipeline(platform, production.spec);
    // Gated against the champion on a few hundred rows: registered either way, promoted or not.
    expect(retrained.status, JSON.stringify(retrained.error)).toMatch(/^(succeeded|rejected)$/);
    expect(retrained.model?.version).toBe(2);
    const train = await stageOf(retrained.workflowId, 'train');
    // Not a cache hit of the first training: the command ran, on the production dataset version.
    expect(train?.cacheHit).toBe(false);
    expect(train?.inputs).toMatchObject({ dataset: { sha256: production.dataset.sha256 } });
    expect((train?.outputs as { log?: unknown }).log).toBeDefined();
  });
});
