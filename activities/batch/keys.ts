import type { ActivityDependencies } from '../dependencies.js';
import { keySegment } from '../../storage/keys.js';

/** Where a model's batch inputs live in the platform bucket: de-identified chunks and their plans. */
export function batchKeys(modelName: string) {
  const root = `batch-inputs/${keySegment(modelName)}`;
  return {
    plan: (planKey: string) => `${root}/${planKey}/plan.json`,
    chunks: (planKey: string) => `${root}/${planKey}/chunks`,
  };
}

/** A small JSON object the platform wrote earlier, or undefined when there is none. */
export async function readJsonIfPresent<T>(deps: ActivityDependencies, key: string): Promise<T | undefined> {
  if (!(await deps.artifacts.exists(key))) return undefined;
  return JSON.parse((await deps.artifacts.getBuffer(key, 64 * 1024 * 1024)).toString('utf8')) as T;
}
