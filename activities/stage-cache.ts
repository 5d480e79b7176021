import { createHash } from 'node:crypto';
import type { ArtifactRef } from '../contracts/artifacts.js';
import { canonicalJson } from '../contracts/canonical-json.js';
import { cachedStageOutputs } from '../db/queries/runs.js';
import type { ActivityDependencies } from './dependencies.js';
import { recordCachedStage, recordStage, type StageContext } from './stage-recorder.js';

/**
 * Stage caching: a stage whose key (what it is, the code version, its parameters and the hashes of
 * its inputs) matches an earlier successful run reuses that run's outputs, once every artifact
 * those outputs name is confirmed to still exist with its recorded sha256. A missing or changed
 * artifact makes it a miss, never a broken run.
 */
export function stageCacheKey(parts: {
  kind: string;
  codeVersion: string;
  params: unknown;
  inputs: readonly string[];
}): string {
  return createHash('sha256').update(canonicalJson(parts)).digest('hex');
}

/** The newest intact outputs recorded under `cacheKey`, with the pipeline run that produced them. */
export async function findCachedOutputs<T extends object>(
  deps: ActivityDependencies,
  cacheKey: string,
  artifactsOf: (outputs: T) => readonly ArtifactRef[],
): Promise<{ outputs: T; pipelineRunId: number; stage: string } | undefined> {
  for (const candidate of await cachedStageOutputs(deps.db, cacheKey, 3)) {
    const outputs = candidate.outputs as T | null;
    if (outputs && (await allArtifactsIntact(deps, artifactsOf(outputs))))
      return { outputs, pipelineRunId: candidate.pipelineRunId, stage: candidate.stage };
  }
  return undefined;
}

async function allArtifactsIntact(
  deps: ActivityDependencies,
  refs: readonly ArtifactRef[],
): Promise<boolean> {
  for (const ref of refs) {
    const info = await deps.artifacts.head(deps.artifacts.keyOf(ref.uri));
    if (!info || info.sha256 !== ref.sha256 || info.bytes !== ref.bytes) return false;
  }
  return true;
}

/**
 * Runs a stage through the cache: an earlier identical run's outputs when they are intact (recorded
 * as a cache hit), otherwise the work, recorded with its cache key for the next identical run.
 * Work this same run already did (a retried attempt's predecessor, a tuning trial) is reused but
 * is not a hit: on a first run nothing is.
 */
export async function runCachedStage<T extends object>(
  deps: ActivityDependencies,
  stage: StageContext & { readonly cacheKey: string },
  options: { readonly noCache: boolean; readonly artifactsOf: (outputs: T) => readonly ArtifactRef[] },
  work: () => Promise<T>,
): Promise<{ outputs: T; cacheHit: boolean }> {
  if (!options.noCache) {
    const cached = await findCachedOutputs<T & Record<string, unknown>>(
      deps,
      stage.cacheKey,
      options.artifactsOf,
    );
    const sameRun = cached?.pipelineRunId === stage.pipelineRunId;
    // This stage's own earlier attempt (it succeeded, but its completion never reached the server):
    // its outputs are this run's work, not a hit, and its row keeps the measurements it recorded.
    if (sameRun && cached.stage === stage.stage) return { outputs: cached.outputs, cacheHit: false };
    // Another stage of this run did the same work (the final training is the best tuning trial's):
    // reused and recorded, but no hit, which means an earlier run's work.
    if (cached) {
      await recordCachedStage(deps, stage, cached.outputs, { cacheHit: !sameRun });
      return { outputs: cached.outputs, cacheHit: !sameRun };
    }
  }
  const { result } = await recordStage(deps, stage, work);
  return { outputs: result, cacheHit: false };
}
