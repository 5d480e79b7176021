import type { StageRun } from '../../db/queries/runs.js';
import { formatBytes, formatDuration, formatEnergy, renderTable } from '../formatting.js';

/** One stage run as `mlops lineage --json` and `mlops runs show --json` print it (DESIGN.md). */
export interface StageDocument {
  readonly stage: string;
  readonly status: StageRun['status'];
  /** The attempt that wrote the record: 2 or more means the stage was retried. */
  readonly attempts: number;
  readonly worker: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly inputs: Record<string, unknown>;
  readonly outputs: Record<string, unknown> | null;
  readonly params: Record<string, unknown>;
  readonly cacheHit: boolean;
  readonly durationMs: number | null;
  readonly cpuMs: number | null;
  readonly peakRssBytes: number | null;
  readonly energyJoules: number | null;
  readonly gpuDevice: number | null;
  readonly error: { readonly type: string; readonly message: string } | null;
}

export interface ResourceTotals {
  /** Sum of stage durations: the compute time spent, more than wall-clock time when trials ran in parallel. */
  readonly durationMs: number;
  readonly cpuMs: number;
  readonly energyJoules: number;
}

export function stageDocument(stage: StageRun): StageDocument {
  return {
    stage: stage.stage,
    status: stage.status,
    attempts: stage.attempt,
    worker: stage.workerIdentity,
    startedAt: stage.startedAt.toISOString(),
    finishedAt: stage.finishedAt?.toISOString() ?? null,
    inputs: stage.inputs,
    outputs: stage.outputs,
    params: stage.params,
    cacheHit: stage.cacheHit,
    durationMs: stage.durationMs,
    cpuMs: stage.cpuMs,
    peakRssBytes: stage.peakRssBytes,
    energyJoules: stage.energyJoules,
    gpuDevice: stage.gpuDevice,
    error: stage.error,
  };
}

export function totalsOf(stages: readonly StageDocument[]): ResourceTotals {
  const sum = (pick: (stage: StageDocument) => number | null) =>
    stages.reduce((total, stage) => total + (pick(stage) ?? 0), 0);
  return {
    durationMs: sum((stage) => stage.durationMs),
    cpuMs: sum((stage) => stage.cpuMs),
    energyJoules: sum((stage) => stage.energyJoules),
  };
}

/** The stages as a table for people, failed stages followed by their error. */
export function renderStages(stages: readonly StageDocument[]): string[] {
  if (stages.length === 0) return ['(no stage has run)'];
  const rows = stages.map((stage) => [
    stage.stage,
    stage.status,
    String(stage.attempts),
    stage.gpuDevice === null ? stage.worker : `${stage.worker} (GPU ${stage.gpuDevice})`,
    stage.cacheHit ? 'hit' : 'miss',
    formatDuration(stage.durationMs),
    formatDuration(stage.cpuMs),
    formatBytes(stage.peakRssBytes),
    formatEnergy(stage.energyJoules),
  ]);
  const table = renderTable(
    ['STAGE', 'STATUS', 'ATTEMPT', 'WORKER', 'CACHE', 'DURATION', 'CPU', 'PEAK RSS', 'ENERGY'],
    rows,
  );
  const lines = [table[0]];
  stages.forEach((stage, index) => {
    lines.push(table[index + 1]);
    if (stage.error) lines.push(`  ! ${stage.error.type}: ${stage.error.message.split('\n')[0]}`);
  });
  return lines;
}

export function renderTotals(totals: ResourceTotals): string {
  return `duration ${formatDuration(totals.durationMs)}  CPU ${formatDuration(totals.cpuMs)}  energy ${formatEnergy(totals.energyJoules)}`;
}
