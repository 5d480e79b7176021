/**
 * Pipeline load: many small pipelines submitted at once against running workers, each one a full
 * run (validation, snapshot, de-identification, training, evaluation with fairness, registration,
 * promotion, report), none reused from a cache. Reports how many completed, their durations as
 * Temporal recorded them (start to close), the throughput, and stage attempts that had to be retried.
 */
import type { Client } from '@temporalio/client';
import { inArray } from 'drizzle-orm';
import { startPipeline } from '../../client/pipeline.js';
import type { Database } from '../../db/client.js';
import { pipelineRuns, stageRuns } from '../../db/schema.js';
import { smallPipelineSpec } from '../support/served-model.js';
import { percentile } from '../support/statistics.js';

export interface PipelineLoadReport {
  readonly submitted: number;
  readonly succeeded: number;
  /** `<workflow id>: <status> <message>` for every run that did not succeed. */
  readonly failures: readonly string[];
  readonly p50Seconds: number;
  readonly p95Seconds: number;
  readonly maxSeconds: number;
  /** Completed runs per minute, from the first start to the last close. */
  readonly perMinute: number;
  /** Stage attempts after the first (a retried activity), over all runs. */
  readonly retriedStages: number;
  readonly wallSeconds: number;
}

export async function runPipelineLoad(options: {
  readonly temporal: Client;
  readonly db: Database;
  readonly taskQueue: string;
  readonly pipelines: number;
  readonly log: (line: string) => void;
}): Promise<PipelineLoadReport> {
  const { temporal, db, taskQueue, log } = options;
  const started = performance.now();
  const specs = Array.from({ length: options.pipelines }, (_, index) => smallPipelineSpec(`load-${index}`));
  // All at once: the point is what the stack does with a burst, not a trickle.
  const runs = await Promise.all(
    specs.map((spec) =>
      startPipeline(temporal, spec, {
        taskQueues: { cpu: taskQueue, gpu: taskQueue },
        noCache: true,
        trigger: 'load',
      }),
    ),
  );
  log(`submitted ${runs.length} pipelines on ${taskQueue}`);
  let done = 0;
  const results = await Promise.all(
    runs.map(async (run) => {
      const result = await run.result();
      done += 1;
      if (done % Math.max(1, Math.ceil(runs.length / 10)) === 0) log(`${done} of ${runs.length} ended`);
      return result;
    }),
  );
  const descriptions = await Promise.all(runs.map((run) => run.handle.describe()));
  const durations = descriptions.map(
    (description) =>
      ((description.closeTime?.getTime() ?? Date.now()) - description.startTime.getTime()) / 1000,
  );
  const firstStart = Math.min(...descriptions.map((description) => description.startTime.getTime()));
  const lastClose = Math.max(
    ...descriptions.map((description) => description.closeTime?.getTime() ?? Date.now()),
  );
  const failures = results.flatMap((result, index) =>
    result.status === 'succeeded'
      ? []
      : [`${runs[index].workflowId}: ${result.status} ${result.error?.message ?? ''}`],
  );
  return {
    submitted: runs.length,
    succeeded: results.length - failures.length,
    failures,
    p50Seconds: percentile(durations, 0.5),
    p95Seconds: percentile(durations, 0.95),
    maxSeconds: Math.max(...durations),
    perMinute: (results.length - failures.length) / ((lastClose - firstStart) / 60_000),
    retriedStages: await retriedStageCount(
      db,
      runs.map((run) => run.workflowId),
    ),
    wallSeconds: (performance.now() - started) / 1000,
  };
}

async function retriedStageCount(db: Database, workflowIds: readonly string[]): Promise<number> {
  const runRows = await db
    .select({ id: pipelineRuns.id })
    .from(pipelineRuns)
    .where(inArray(pipelineRuns.workflowId, [...workflowIds]));
  if (runRows.length === 0) return 0;
  const stages = await db
    .select({ attempt: stageRuns.attempt })
    .from(stageRuns)
    .where(
      inArray(
        stageRuns.pipelineRunId,
        runRows.map((row) => row.id),
      ),
    );
  return stages.filter((stage) => stage.attempt > 1).length;
}

export function formatPipelineLoad(report: PipelineLoadReport): string {
  const lines = [
    '| pipelines at once | completed | p50 | p95 | max | pipelines/min | retried stages | wall |',
    '|---|---|---|---|---|---|---|---|',
    `| ${report.submitted} | ${report.succeeded} | ${report.p50Seconds.toFixed(1)} s | ${report.p95Seconds.toFixed(1)} s | ${report.maxSeconds.toFixed(1)} s | ${report.perMinute.toFixed(1)} | ${report.retriedStages} | ${report.wallSeconds.toFixed(0)} s |`,
  ];
  for (const failure of report.failures) lines.push(`  ! ${failure}`);
  return lines.join('\n');
}
