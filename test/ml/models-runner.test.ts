import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { frameFromColumns, sliceRows } from '../../ml/frame/index.js';
import {
  loadModelDocument,
  type ModelCheckpoint,
  ModelDocumentError,
  predictFrame,
  serializeModelDocument,
  trainModel,
} from '../../ml/model/index.js';
import { predictFrameInWorker, trainModelInWorker } from '../../ml/runner/index.js';
import { TrainingCancelledError, TrainingInputError, type TrainingProgress } from '../../ml/training.js';
import { loadPenguins, seededRandom } from './models-helpers.js';

const penguins = loadPenguins();
const request = {
  frame: penguins,
  target: 'Species',
  trainer: 'logistic_regression' as const,
  params: { l2: 1e-3 },
  seed: 1,
};

/** Rows enough that gradient boosting runs for a while (so it can be cancelled mid-way). */
function syntheticFrame(rowCount: number) {
  const random = seededRandom(5);
  const x = Float64Array.from({ length: rowCount }, () => random());
  const z = Float64Array.from({ length: rowCount }, () => random());
  const label = Array.from(x, (value, row) => (value + z[row] + 0.3 * random() > 1.1 ? 'yes' : 'no'));
  return frameFromColumns([
    { name: 'x', values: x },
    { name: 'z', values: z },
    { name: 'label', values: label },
  ]);
}

describe('training runner (worker threads)', () => {
  it('trains in a worker, posting progress, and returns the same document as in-process training', async () => {
    const progress: TrainingProgress[] = [];
    const document = await trainModelInWorker(request, { onProgress: (update) => progress.push(update) });
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.map((update) => update.iteration)).toEqual(progress.map((_, index) => index + 1));
    expect(serializeModelDocument(document)).toBe(serializeModelDocument(trainModel(request)));
  });

  it('posts checkpoints, and resuming from one in a worker gives the identical model', async () => {
    const checkpoints: ModelCheckpoint[] = [];
    const full = await trainModelInWorker(request, {
      onCheckpoint: (checkpoint) => checkpoints.push(checkpoint),
      checkpointEvery: 4,
    });
    expect(checkpoints.length).toBeGreaterThan(1);
    const resumed = await trainModelInWorker(request, { resumeFrom: checkpoints[1] });
    expect(serializeModelDocument(resumed)).toBe(serializeModelDocument(full));
  });

  it('stops when its signal is aborted, rejecting with TrainingCancelledError', async () => {
    const controller = new AbortController();
    const progress: TrainingProgress[] = [];
    const training = trainModelInWorker(
      {
        frame: syntheticFrame(50_000),
        target: 'label',
        trainer: 'gradient_boosting',
        params: { nEstimators: 5000 },
      },
      {
        signal: controller.signal,
        onProgress: (update) => {
          progress.push(update);
          if (update.iteration === 3) controller.abort();
        },
      },
    );
    await expect(training).rejects.toBeInstanceOf(TrainingCancelledError);
    // Stopped cooperatively between rounds, not by terminating the thread.
    await expect(training).rejects.toThrow(/stopped on request/);
    expect(progress.length).toBeLessThan(100);
  });

  it('terminates a worker that does not stop within the grace period', async () => {
    const controller = new AbortController();
    const training = trainModelInWorker(
      {
        frame: syntheticFrame(200_000),
        target: 'label',
        trainer: 'gradient_boosting',
        params: { nEstimators: 5000 },
      },
      { signal: controller.signal, cancelGraceMs: 0 },
    );
    setTimeout(() => controller.abort(), 50);
    await expect(training).rejects.toBeInstanceOf(TrainingCancelledError);
    await expect(training).rejects.toThrow(/terminated/);
  });

  it('keeps the type of errors raised in the worker', async () => {
    const oneClass = frameFromColumns([
      { name: 'x', values: [1, 2, 3] },
      { name: 'y', values: ['a', 'a', 'a'] },
    ]);
    const failure = trainModelInWorker({ frame: oneClass, target: 'y', trainer: 'logistic_regression' });
    await expect(failure).rejects.toBeInstanceOf(TrainingInputError);
    await expect(failure).rejects.toThrow(/single class/);
    const badDocument = predictFrameInWorker('{"format":"mlops.model/v9"}', penguins);
    await expect(badDocument).rejects.toBeInstanceOf(ModelDocumentError);
    await expect(badDocument).rejects.toMatchObject({ path: '$.format' });
  });

  it('scores a frame in a worker exactly as predictFrame does', async () => {
    const document = trainModel(request);
    const inWorker = await predictFrameInWorker(serializeModelDocument(document), penguins);
    expect(inWorker).toEqual(predictFrame(loadModelDocument(document), penguins));
  });

  it('scores a large frame on several threads, joined in row order', async () => {
    const frame = syntheticFrame(150_001);
    const document = trainModel({
      frame: sliceRows(frame, 0, 5_000),
      target: 'label',
      trainer: 'gradient_boosting',
      params: { nEstimators: 5 },
      seed: 1,
    });
    const inThreads = await predictFrameInWorker(document, frame, { threads: 3 });
    expect(inThreads).toEqual(predictFrame(loadModelDocument(document), frame));
  });
});

describe('training runner from compiled JavaScript', () => {
  const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
  const outputRoot = mkdtempSync(path.join(tmpdir(), 'mlops-runner-'));
  afterAll(() => rmSync(outputRoot, { recursive: true, force: true }));

  /** Transpiles ml/ (and contracts/, all it imports) the way tsc emits them for dist/: .js files, no tsx anywhere. */
  function compileMl(): void {
    const walk = (directory: string): string[] =>
      readdirSync(directory).flatMap((name) => {
        const full = path.join(directory, name);
        return statSync(full).isDirectory() ? walk(full) : full.endsWith('.ts') ? [full] : [];
      });
    for (const source of ['ml', 'contracts'].flatMap((folder) => walk(path.join(repositoryRoot, folder)))) {
      const output = ts.transpileModule(readFileSync(source, 'utf8'), {
        compilerOptions: {
          module: ts.ModuleKind.ES2022,
          target: ts.ScriptTarget.ES2022,
          verbatimModuleSyntax: true,
        },
        fileName: source,
      }).outputText;
      const target = path.join(outputRoot, path.relative(repositoryRoot, source)).replace(/\.ts$/, '.js');
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, output);
    }
    writeFileSync(path.join(outputRoot, 'package.json'), '{"type":"module"}');
  }

  it('starts the worker from training-worker.js when the runner is compiled', () => {
    compileMl();
    const script = `
      import { frameFromColumns } from './ml/frame/index.js';
      import { trainModelInWorker } from './ml/runner/index.js';
      const frame = frameFromColumns([{ name: 'x', values: [1, 2, 3, 4, 5, 6] }, { name: 'y', values: ['a', 'a', 'b', 'a', 'b', 'b'] }]);
      let updates = 0;
      const document = await trainModelInWorker({ frame, target: 'y', trainer: 'logistic_regression' }, { onProgress: () => updates++ });
      console.log(JSON.stringify({ format: document.format, classes: document.target.classes, updates }));
    `;
    writeFileSync(path.join(outputRoot, 'check.mjs'), script);
    const output = execFileSync(process.execPath, [path.join(outputRoot, 'check.mjs')], {
      cwd: outputRoot,
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    const result = JSON.parse(output.trim()) as { format: string; classes: string[]; updates: number };
    expect(result.format).toBe('mlops.model/v1');
    expect(result.classes).toEqual(['a', 'b']);
    expect(result.updates).toBeGreaterThan(0);
  });
});
