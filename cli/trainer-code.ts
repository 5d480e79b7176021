import path from 'node:path';
import { packageTrainerCode, TrainerCodeError } from '../client/trainer-code.js';
import { COMMAND_TRAINER, type PipelineSpec } from '../spec/types.js';
import { ArtifactStore } from '../storage/artifact-store.js';
import type { Session } from './session.js';
import { exitCodes } from './shared.js';

/** A command trainer's folder, packaged for the workers (client/trainer-code.ts); exit 2 when it cannot be. */
export async function withTrainerCode(
  session: Session,
  spec: PipelineSpec,
  specPath: string,
): Promise<PipelineSpec | number> {
  if (spec.train.trainer !== COMMAND_TRAINER) return spec;
  const store = ArtifactStore.fromSettings(session.stack.connections.s3);
  try {
    return await packageTrainerCode(spec, path.dirname(path.resolve(specPath)), store);
  } catch (error) {
    if (!(error instanceof TrainerCodeError)) throw error;
    process.stderr.write(`mlops: ${error.message}\nNothing was started.\n`);
    return exitCodes.usage;
  } finally {
    store.client.destroy();
  }
}
