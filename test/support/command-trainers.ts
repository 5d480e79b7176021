import { mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageTrainerCode } from '../../client/trainer-code.js';
import { PENGUIN_FEATURES, writeStandInTrainer } from '../../scripts/support/stand-in-trainer.js';
import type { PipelineSpec } from '../../spec/types.js';
import { exampleSpec } from './pipeline.js';
import { testArtifactStore } from './platform.js';

export { PENGUIN_FEATURES };

/**
 * A trainer folder of this test's own (the stand-in trainer, the fixture it writes, `files`) with
 * a penguins spec that trains with `command`, packaged the way `mlops run` packages it.
 */
export async function commandTrainerSpec(
  command: string[],
  options: {
    train?: Record<string, unknown>;
    files?: Record<string, string>;
    spec?: Record<string, unknown>;
  } = {},
): Promise<PipelineSpec> {
  const folder = mkdtempSync(path.join(path.resolve('.mlops'), 'trainer-'));
  writeStandInTrainer(folder);
  for (const [name, text] of Object.entries(options.files ?? {}))
    writeFileSync(path.join(folder, name), text);
  const spec = exampleSpec('penguins.yaml', {
    features: PENGUIN_FEATURES,
    sensitive: [],
    train: { trainer: 'command', command, ...options.train },
    evaluation: { primaryMetric: 'accuracy', gates: [], compareToChampion: false },
    deploy: { promote: false },
    ...options.spec,
  });
  const store = testArtifactStore();
  try {
    return await packageTrainerCode(spec, folder, store);
  } finally {
    store.client.destroy();
  }
}
