/**
 * Where the chaos run's faults land, read from the stage rows every stage attempt writes when it
 * starts and when it ends (activities/stage-recorder.ts): outages are aimed at the stages the
 * issue names (PostgreSQL during registration, S3 during a snapshot upload) by waiting until one
 * runs, and every fault records the stages it hit, so the report shows what each one interrupted.
 */
import { and, eq, gt, inArray, isNull, lt, or } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { pipelineRuns, stageRuns } from '../../db/schema.js';

/** PostgreSQL is frozen while a pipeline registers its model version or promotes it. */
export const POSTGRES_TARGETS = ['register', 'register/promote'] as const;
/** S3 is frozen while a pipeline ingests: the snapshot of its data is being uploaded. */
export const S3_TARGETS = ['ingest'] as const;

// Registration takes a few hundred milliseconds: looked for often enough to be caught.
const POLL_MS = 100;

/**
 * Waits (up to `timeoutMs`) until one of `workflowIds` runs one of `stages`; returns what runs
 * then (`stage` of `workflow id`), or nothing when the wait ran out.
 */
export async function waitForStage(
  db: Database,
  workflowIds: readonly string[],
  stages: readonly string[],
  timeoutMs: number,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const running = await db
      .select({ stage: stageRuns.stage, workflowId: pipelineRuns.workflowId })
      .from(stageRuns)
      .innerJoin(pipelineRuns, eq(stageRuns.pipelineRunId, pipelineRuns.id))
      .where(
        and(
          inArray(pipelineRuns.workflowId, [...workflowIds]),
          eq(stageRuns.status, 'running'),
          inArray(stageRuns.stage, [...stages]),
        ),
      );
    if (running.length > 0 || Date.now() >= deadline)
      return running.map((row) => `${row.stage} of ${row.workflowId}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** The stages a worker (by its pid, the end of its identity) is running now: what killing it hits. */
export async function stagesRunningOn(
  db: Database,
  workflowIds: readonly string[],
  pid: number,
): Promise<string[]> {
  const rows = await db
    .select({ stage: stageRuns.stage, worker: stageRuns.workerIdentity })
    .from(stageRuns)
    .innerJoin(pipelineRuns, eq(stageRuns.pipelineRunId, pipelineRuns.id))
    .where(and(inArray(pipelineRuns.workflowId, [...workflowIds]), eq(stageRuns.status, 'running')));
  return distinct(rows.filter((row) => row.worker.endsWith(`/${pid}`)).map((row) => row.stage));
}

/** The stages whose attempts overlapped [from, to]: what an outage in that window interrupted. */
export async function stagesDuring(
  db: Database,
  workflowIds: readonly string[],
  from: Date,
  to: Date,
): Promise<string[]> {
  const rows = await db
    .select({ stage: stageRuns.stage })
    .from(stageRuns)
    .innerJoin(pipelineRuns, eq(stageRuns.pipelineRunId, pipelineRuns.id))
    .where(
      and(
        inArray(pipelineRuns.workflowId, [...workflowIds]),
        lt(stageRuns.startedAt, to),
        or(isNull(stageRuns.finishedAt), gt(stageRuns.finishedAt, from)),
      ),
    );
  return distinct(rows.map((row) => row.stage));
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}
