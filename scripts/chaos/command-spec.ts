import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { packageTrainerCode } from '../../client/trainer-code.js';
import { parseSpec } from '../../spec/parse.js';
import type { PipelineSpec } from '../../spec/types.js';
import type { ArtifactStore } from '../../storage/artifact-store.js';
import { PENGUIN_FEATURES, writeStandInTrainer } from '../support/stand-in-trainer.js';

/**
 * A chaos pipeline that trains with a command trainer: the stand-in trainer's `steps` mode (40
 * steps of half a second, a checkpoint after each), packaged the way `mlops run` packages it.
 * A kill mid-training must resume from the last checkpoint the trainer reported.
 */
export async function commandTrainerSpec(
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
