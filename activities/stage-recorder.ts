import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { upsertStageRun, type StageRun } from '../db/queries/runs.js';
import { currentGpuDevice } from '../workers/gpu-devices.js';
import type { ActivityDependencies } from './dependencies.js';

export interface StageContext {
  readonly pipelineRunId: number;
  readonly stage: string;
  readonly inputs?: Record<string, unknown>;
  readonly params?: Record<string, unknown>;
}

/**
 * Runs one stage's work and records it: a `running` row when the attempt starts, then its outcome,
 * attempt, worker, duration, CPU time and peak memory. The row is keyed by (run, stage), so every
 * attempt of a retried activity updates the same row.
 */
export async function recordStage<T extends Record<string, unknown>>(
  deps: ActivityDependencies,
  stage: StageContext,
  work: () => Promise<T>,
): Promise<{ result: T; stageRun: StageRun }> {
  const { attempt } = Context.current().info;
  const startedAt = new Date();
  const cpuBefore = process.cpuUsage();
  const base = {
    pipelineRunId: stage.pipelineRunId,
    stage: stage.stage,
    attempt,
    workerIdentity: deps.workerIdentity,
    inputs: stage.inputs ?? {},
    params: stage.params ?? {},
    startedAt,
    gpuDevice: currentGpuDevice() ?? null,
  };
  await upsertStageRun(deps.db, { ...base, status: 'running', outputs: null, finishedAt: null, error: null });
  const measurements = () => {
    const cpu = process.cpuUsage(cpuBefore);
    const finishedAt = new Date();
    return {
      finishedAt,
      durationMs: finishedAt.getTime() - startedAt.getTime(),
      // Process-wide figures: exact when the worker runs one activity at a time, an upper bound otherwise.
      cpuMs: (cpu.user + cpu.system) / 1000,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    };
  };
  try {
    const result = await work();
    const stageRun = await upsertStageRun(deps.db, {
      ...base,
      ...measurements(),
      status: 'succeeded',
      outputs: result,
      error: null,
    });
    return { result, stageRun };
  } catch (error) {
    const failure = error as { type?: string; name?: string; message?: string };
    const type = error instanceof ApplicationFailure && error.type ? error.type : (failure.name ?? 'Error');
    await upsertStageRun(deps.db, {
      ...base,
      ...measurements(),
      status: 'failed',
      error: { type, message: String(failure.message) },
    });
    throw error;
  }
}
