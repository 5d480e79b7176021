import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOnnxModelDocument, type OnnxModelDocument } from '../../contracts/onnx-model.js';
import { artifacts } from '../../db/schema.js';
import { loadServedVersion } from '../../serving/served-version.js';
import { commandTrainerSpec, PENGUIN_FEATURES } from '../support/command-trainers.js';
import { runPipeline, stageRunsOf, versionsOf } from '../support/pipeline.js';
import { startTestPlatform, testArtifactStore, type TestPlatform } from '../support/platform.js';

/**
 * Command trainers (docs/trainers.md) with a stand-in trainer in plain Python: what the command
 * gets, what it may report, and every way it can fail — each a clear error, nothing registered.
 */
describe('command trainers', () => {
  let platform: TestPlatform;
  const store = testArtifactStore();

  beforeAll(async () => {
    platform = await startTestPlatform({ pools: ['cpu'] });
  });

  afterAll(async () => {
    await platform?.stop();
    store.client.destroy();
  });

  const trainStage = async (workflowId: string) =>
    (await stageRunsOf(platform.database.db, workflowId)).find((stage) => stage.stage === 'train');

  it('trains with the command, evaluates its ONNX model like any other, and registers it', async () => {
    const spec = await commandTrainerSpec(['python3', 'trainer.py', 'ok']);
    const result = await runPipeline(platform, spec);
    expect(result.status, JSON.stringify(result.error)).toBe('succeeded');
    expect(result.metrics.accuracy).toBeGreaterThan(0.9);
    const [version] = await versionsOf(platform, spec.name);
    expect(version.params).toMatchObject({ trainer: 'command' });

    const train = await trainStage(result.workflowId);
    const outputs = train?.outputs as { model: { uri: string }; onnx: { uri: string }; log: { uri: string } };
    const document: unknown = JSON.parse(
      (await store.getBuffer(store.keyOf(outputs.model.uri))).toString('utf8'),
    );
    expect(isOnnxModelDocument(document)).toBe(true);
    expect(document).toMatchObject({
      features: PENGUIN_FEATURES,
      target: { classes: ['Adelie', 'Chinstrap', 'Gentoo'] },
    });
    // Its log keeps what was not a report, a Python dict's repr included.
    const log = (await store.getBuffer(store.keyOf(outputs.log.uri))).toString('utf8');
    expect(log).toContain(
      `training with ${JSON.stringify(PENGUIN_FEATURES)} and ["Adelie","Chinstrap","Gentoo"]`,
    );
    expect(log).toContain("{'a python': 'dict, not a report'}");
  });

  it("gives the command none of the worker's credentials", async () => {
    const result = await runPipeline(platform, await commandTrainerSpec(['python3', 'trainer.py', 'env']));
    expect(result.status).toBe('succeeded');
    expect((await trainStage(result.workflowId))?.outputs).toMatchObject({
      validationMetric: 0,
      validationMetricName: 'leaked',
    });
  });

  it('tunes a command trainer: each trial is the command with its own params', async () => {
    const spec = await commandTrainerSpec(['python3', 'trainer.py', 'params'], {
      train: { params: { depth: 2, rate: 0.1 }, search: { depth: [3, 5] } },
    });
    const result = await runPipeline(platform, spec);
    expect(result.status, JSON.stringify(result.error)).toBe('succeeded');
    const stages = await stageRunsOf(platform.database.db, result.workflowId);
    const logged = async (stage: string) => {
      const row = stages.find((candidate) => candidate.stage === stage);
      const { log } = row?.outputs as { log: { uri: string } };
      return (await store.getBuffer(store.keyOf(log.uri))).toString('utf8');
    };
    // Trials are numbered in candidate order: the grid over depth, the other params kept.
    expect(await logged('tune/trial-1/train')).toContain('params {"depth": 3, "rate": 0.1}');
    expect(await logged('tune/trial-2/train')).toContain('params {"depth": 5, "rate": 0.1}');
    // The final training has the best trial's params (the same command and data: that trial's
    // training, reused from the cache).
    expect(await logged('train')).toMatch(/params \{"depth": [35], "rate": 0\.1\}/);
    expect(stages.filter((stage) => stage.stage.endsWith('/evaluate'))).toHaveLength(2);
  });

  it('is refused by serving once its ONNX file is changed after registration', async () => {
    const spec = await commandTrainerSpec(['python3', 'trainer.py', 'ok']);
    // Its own training, not a cache hit: the file changed below belongs to this test alone.
    expect((await runPipeline(platform, spec, { noCache: true })).status).toBe('succeeded');
    const [version] = await versionsOf(platform, spec.name);
    const [file] = await platform.database.db
      .select()
      .from(artifacts)
      .where(eq(artifacts.id, version.modelArtifactId!));
    const ref = {
      modelVersionId: version.id,
      version: version.version,
      modelFile: { uri: file.uri, sha256: file.sha256, bytes: file.bytes },
    };
    const served = await loadServedVersion(store, spec.name, ref);
    expect(served.classes).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    await served.release();

    const document = JSON.parse(
      (await store.getBuffer(store.keyOf(file.uri))).toString('utf8'),
    ) as OnnxModelDocument;
    await store.put(
      store.keyOf(document.onnx.uri),
      readFileSync('test/fixtures/onnx/penguins-pipeline-zipmap.onnx'),
    );
    await expect(loadServedVersion(store, spec.name, ref)).rejects.toThrow(
      /ONNX file: s3:\/\/\S+ has sha256 [0-9a-f]{64}, not the registered [0-9a-f]{64}; the file was changed after registration/,
    );
  });

  const failures: {
    name: string;
    command: string[];
    train?: Record<string, unknown>;
    spec?: Record<string, unknown>;
    type: string;
    message: RegExp;
  }[] = [
    {
      name: 'a program that does not exist',
      command: ['no-such-trainer'],
      type: 'TrainerFailed',
      message: /"no-such-trainer" was not found/,
    },
    {
      name: 'a file that is not executable',
      command: ['./trainer.py', 'ok'],
      type: 'TrainerFailed',
      message: /is not executable/,
    },
    {
      name: 'a non-zero exit',
      command: ['python3', 'trainer.py', 'fail'],
      type: 'TrainerFailed',
      message: /exited with code 3[\s\S]*ValueError: the data has no rows/,
    },
    {
      name: 'no model written',
      command: ['python3', 'trainer.py', 'no-model'],
      type: 'TrainerFailed',
      message: /wrote no model: write the ONNX model to \$MLOPS_OUTPUT_DIR\/model\.onnx/,
    },
    {
      name: 'a file that is not ONNX',
      command: ['python3', 'trainer.py', 'garbage'],
      type: 'InvalidModel',
      message: /not a valid ONNX model/,
    },
    {
      name: 'a model with other inputs and classes',
      command: ['python3', 'trainer.py', 'wrong-model', 'lightgbm-binary-matrix.onnx'],
      type: 'InvalidModel',
      message: /Island/,
    },
    {
      name: 'a model of the wrong number of classes',
      command: ['python3', 'trainer.py', 'wrong-model', 'lightgbm-binary-matrix.onnx'],
      spec: { features: PENGUIN_FEATURES.filter((feature) => feature !== 'Island' && feature !== 'Sex') },
      type: 'InvalidModel',
      message: /\b2\b[\s\S]*\b3\b|\b3\b[\s\S]*\b2\b/,
    },
    {
      name: 'a ZipMap probability output',
      command: ['python3', 'trainer.py', 'wrong-model', 'penguins-pipeline-zipmap.onnx'],
      type: 'InvalidModel',
      message: /zipmap/i,
    },
    {
      name: 'a malformed report',
      command: ['python3', 'trainer.py', 'bad-report'],
      type: 'TrainerFailed',
      message:
        /stdout line 1 is a report the platform cannot read: progress must be a number from 0 to 1, not "half"/,
    },
    {
      name: 'a requirement that cannot be installed',
      command: ['python3', 'trainer.py', 'ok'],
      train: { python: { requirements: ['mlops-no-such-package-xyz==0.0.1'] } },
      type: 'TrainerFailed',
      message: /requirements could not be installed[\s\S]*mlops-no-such-package-xyz/,
    },
  ];

  it.each(failures)(
    'fails at once on $name, saying what to fix, and registers nothing',
    async ({ command, train, spec: overrides, type, message }) => {
      const spec = await commandTrainerSpec(command, { train, spec: overrides });
      const result = await runPipeline(platform, spec);
      expect(result.status).toBe('failed');
      expect(result.error?.type).toBe(type);
      expect(result.error?.message).toMatch(message);
      expect(await versionsOf(platform, spec.name)).toHaveLength(0);
      // Not retried: one attempt.
      expect((await trainStage(result.workflowId))?.attempt).toBe(1);
    },
  );
});
