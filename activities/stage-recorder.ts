import { Context } from '@temporalio/activity';
import { failureMessageOf, failureTypeOf } from '../contracts/errors.js';
import { upsertStageRun, type StageRun } from '../db/queries/runs.js';
import type { ActivityDependencies } from './dependencies.js';

export interface StageContext {
  readonly pipelineRunId: number;
  readonly stage: string;
  readonly inputs?: Record<string, unknown>;
  readonly params?: Record<string, unknown>;
  /** Recorded with a success so a later identical stage can reuse its outputs (stage-cache.ts). */
  readonly cacheKey?: string;
}

/**
 * Runs one stage's work and records it: a `running` row when the attempt starts, then its outcome,
 * attempt, worker, duration, CPU time, peak memory and an energy estimate (CPU-seconds times
 * MLOPS_CPU_WATTS_PER_CORE, plus the GPU's measured draw when one was used). The row is keyed by
 * (run, stage), so every attempt of a retried activity updates the same row.
 */
export async function recordStage<T extends object>(
  deps: ActivityDependencies,
  stage: StageContext,
  work: () => Promise<T>,
): Promise<{ result: T; stageRun: StageRun }> {
  const startedAt = new Date();
  const cpuBefore = process.cpuUsage();
  const gpuDevice = deps.gpu?.currentDevice();
  const gpuEnergy = gpuDevice === undefined ? undefined : deps.gpu?.sampleEnergy(gpuDevice);
  const base = baseRecord(deps, stage, startedAt);
  await upsertStageRun(deps.db, { ...base, status: 'running', outputs: null, finishedAt: null, error: null });
  const measurements = async () => {
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const gpuJoules = (await gpuEnergy?.stop()) ?? 0;
    const finishedAt = new Date();
    return {
      finishedAt,
      durationMs: finishedAt.getTime() - startedAt.getTime(),
      // Process-wide figures: exact when the worker runs one activity at a time, an upper bound otherwise.
      cpuMs,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      energyJoules: (cpuMs / 1000) * deps.cpuWattsPerCore + gpuJoules,
    };
  };
  try {
    const result = await work();
    const stageRun = await upsertStageRun(deps.db, {
      ...base,
      ...(await measurements()),
      status: 'succeeded',
      outputs: result as Record<string, unknown>,
      error: null,
    });
    return { result, stageRun };
  } catch (error) {
    await upsertStageRun(deps.db, {
      ...base,
      ...(await measurements()),
      status: 'failed',
      error: { type: failureTypeOf(error), message: failureMessageOf(error) },
    });
    throw error;
  }
}

/** Records a stage that reused earlier outputs instead of doing the work again (a cache hit when another run made them). */
export async function recordCachedStage<T extends object>(
  deps: ActivityDependencies,
  stage: StageContext,
  outputs: T,
  options: { readonly cacheHit?: boolean } = {},
): Promise<StageRun> {
  const now = new Date();
  return upsertStageRun(deps.db, {
    ...baseRecord(deps, stage, now),
    status: 'succeeded',
    cacheHit: options.cacheHit ?? true,
    outputs: outputs as Record<string, unknown>,
    finishedAt: now,
    durationMs: 0,
    cpuMs: 0,
    energyJoules: 0,
    error: null,
  });
}

function baseRecord(deps: ActivityDependencies, stage: StageContext, startedAt: Date) {
  return {
    pipelineRunId: stage.pipelineRunId,
    stage: stage.stage,
    attempt: Context.current().info.attempt,
    workerIdentity: deps.workerIdentity,
    inputs: stage.inputs ?? {},
    params: stage.params ?? {},
    cacheKey: stage.cacheKey ?? null,
    cacheHit: false,
    startedAt,
    gpuDevice: deps.gpu?.currentDevice() ?? null,
  };
}
