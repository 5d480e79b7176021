import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PENGUIN_FEATURES } from '../support/command-trainers.js';
import { versionsOf } from '../support/pipeline.js';
import { stackEnvironment, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { spawnMlops } from '../support/processes.js';

/** `mlops models import`: a model trained elsewhere, evaluated on a spec's data, gated and registered. */
describe('mlops models import', () => {
  let platform: TestPlatform;
  let specPath: string;

  beforeAll(async () => {
    platform = await startTestPlatform({ pools: ['cpu'] });
    // The penguins example's data and checks; no train section: nothing is trained.
    const { train: _train, ...example } = parse(readFileSync('examples/penguins.yaml', 'utf8')) as Record<
      string,
      unknown
    >;
    specPath = path.join(mkdtempSync(path.join(path.resolve('.mlops'), 'import-')), 'spec.yaml');
    writeFileSync(
      specPath,
      stringify({
        ...example,
        features: PENGUIN_FEATURES,
        sensitive: [],
        evaluation: { primaryMetric: 'accuracy', gates: [{ metric: 'accuracy', min: 0.9 }] },
        deploy: { promote: true },
      }),
    );
  });

  afterAll(async () => {
    await platform?.stop();
  });

  const importFile = async (file: string) => {
    const name = `imported-${randomUUID().slice(0, 8)}`;
    const cli = spawnMlops(['models', 'import', file, '--name', name, '--spec', specPath, '--json'], {
      ...stackEnvironment(),
      MLOPS_CPU_TASK_QUEUE: platform.pools.taskQueues.cpu,
    });
    const [code, output] = await Promise.all([cli.exited, cli.json]);
    return { name, code, output, stderr: cli.stderr() };
  };

  it('evaluates the file on the test split, gates, registers and promotes it, with its hash in the lineage', async () => {
    const file = 'test/fixtures/onnx/penguins-pipeline.onnx';
    const { name, code, output, stderr } = await importFile(file);
    expect(code, stderr).toBe(0);
    expect(output).toMatchObject({ status: 'succeeded', promoted: true, model: { name, version: 1 } });
    expect((output.metrics as Record<string, number>).accuracy).toBeGreaterThan(0.95);
    const [version] = await versionsOf(platform, name);
    expect(version).toMatchObject({ status: 'registered', params: { trainer: 'imported' } });

    const lineage = spawnMlops(['lineage', `${name}@1`, '--json'], stackEnvironment());
    const [lineageCode, document] = await Promise.all([lineage.exited, lineage.json]);
    expect(lineageCode).toBe(0);
    const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
    const artifacts = document.artifacts as { sha256: string; kind: string }[];
    expect(artifacts.some((artifact) => artifact.sha256 === sha256)).toBe(true);
    expect((document.datasetVersions as unknown[]).length).toBe(1);
  });

  it('refuses a file that does not fit the data, registering nothing (exit 1)', async () => {
    const { name, code, output } = await importFile('test/fixtures/onnx/lightgbm-binary-matrix.onnx');
    expect(code).toBe(1);
    expect(output).toMatchObject({ status: 'failed', error: { type: 'InvalidModel' } });
    expect(await versionsOf(platform, name)).toHaveLength(0);
  });
});
