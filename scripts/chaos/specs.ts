import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { packageTrainerCode } from '../../client/trainer-code.js';
import { parseSpec } from '../../spec/parse.js';
import type { PipelineSpec } from '../../spec/types.js';
import type { ArtifactStore } from '../../storage/artifact-store.js';
import { PENGUIN_FEATURES, writeStandInTrainer } from '../support/stand-in-trainer.js';

/**
 * What the chaos run's built-in pipelines train on: penguins (344 rows: a training takes a second
 * or two, for the short forms) or the 60,000-flight sample (seconds to tens of seconds, so kills
 * land mid-training and resume from checkpoints).
 */
export type TrainingData = 'penguins' | 'flights';

/**
 * The index-th chaos pipeline: gradient boosting with `rounds` rounds on `data`, on the GPU pool
 * when `gpu`; with the stand-in command trainer (on penguins) when `command`.
 */
export async function chaosSpec(
  index: number,
  options: { gpu: boolean; command: boolean; data: TrainingData; rounds: number; store: ArtifactStore },
): Promise<PipelineSpec> {
  const name = `chaos-${index}-${randomUUID().slice(0, 6)}`;
  if (options.command) return commandTrainerSpec(example('penguins'), name, options.store);
  const { example: file, params, metric, min } = BUILT_IN[options.data];
  return parseSpec({
    ...example(file),
    name,
    train: {
      trainer: 'gradient_boosting',
      params: { nEstimators: options.rounds, ...params },
      ...(options.gpu ? { resources: { gpu: 1 } } : {}),
    },
    evaluation: { primaryMetric: metric, gates: [{ metric, min }] },
  });
}

/** Each data's example spec, boosting parameters and gate. */
const BUILT_IN = {
  penguins: {
    example: 'penguins',
    params: { learningRate: 0.03, maxLeaves: 8, minSamplesLeaf: 5 },
    metric: 'accuracy',
    min: 0.8,
  },
  flights: {
    example: 'flights-sample',
    params: { learningRate: 0.05, maxLeaves: 31, minSamplesLeaf: 20 },
    metric: 'auc',
    min: 0.6,
  },
} as const;

function example(name: string): Record<string, unknown> {
  return parse(readFileSync(path.resolve('examples', `${name}.yaml`), 'utf8')) as Record<string, unknown>;
}

/**
 * A chaos pipeline that trains with a command trainer: the stand-in trainer's `steps` mode (40
 * steps of half a second, a checkpoint after each), packaged the way `mlops run` packages it.
 * A kill mid-training must resume from the last checkpoint the trainer reported.
 */
async function commandTrainerSpec(
  document: Record<string, unknown>,
  name: string,
  store: ArtifactStore,
): Promise<PipelineSpec> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'mlops-chaos-trainer-'));
  try {
    writeStandInTrainer(folder);
    const spec = parseSpec({
      ...document,
      name,
      features: PENGUIN_FEATURES,
      sensitive: [],
      train: { trainer: 'command', command: ['python3', 'trainer.py', 'steps', '40', '0.5'] },
      evaluation: { primaryMetric: 'accuracy', gates: [], compareToChampion: false },
      deploy: { promote: false },
    });
    return await packageTrainerCode(spec, folder, store);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
