import { and, desc, eq, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import type { RunSpec } from '../../contracts/runs.js';
import { pipelineRuns, stageRuns } from '../schema.js';

export type PipelineRun = typeof pipelineRuns.$inferSelect;
export type StageRun = typeof stageRuns.$inferSelect;

export interface PipelineRunStart {
  readonly workflowId: string;
  readonly runId: string;
  readonly pipelineName: string;
  readonly kind?: string;
  readonly spec: RunSpec;
  readonly codeVersion: string;
  readonly trigger?: string;
}

/** Records a run's start; a retry of the recording activity returns the same row. */
export async function upsertPipelineRun(db: Database, run: PipelineRunStart): Promise<PipelineRun> {
  const [row] = await db
    .insert(pipelineRuns)
    .values(run)
    .onConflictDoUpdate({
      target: [pipelineRuns.workflowId, pipelineRuns.runId],
      // A no-op update so RETURNING yields the existing row.
      set: { pipelineName: sql`excluded.pipeline_name` },
    })
    .returning();
  return row;
}

export async function finishPipelineRun(
  db: Database,
  key: { workflowId: string; runId: string },
  outcome: { status: PipelineRun['status']; error?: { type: string; message: string } | null },
): Promise<void> {
  await db
    .update(pipelineRuns)
    .set({ status: outcome.status, error: outcome.error ?? null, finishedAt: new Date() })
    .where(and(eq(pipelineRuns.workflowId, key.workflowId), eq(pipelineRuns.runId, key.runId)));
}

export async function findPipelineRun(
  db: Database,
  key: { workflowId: string; runId?: string },
): Promise<PipelineRun | undefined> {
  const conditions = [eq(pipelineRuns.workflowId, key.workflowId)];
  if (key.runId) conditions.push(eq(pipelineRuns.runId, key.runId));
  const [row] = await db
    .select()
    .from(pipelineRuns)
    .where(and(...conditions))
    .orderBy(desc(pipelineRuns.startedAt))
    .limit(1);
  return row;
}

export type StageRunRecord = Omit<typeof stageRuns.$inferInsert, 'id'>;

/**
 * Writes a stage's record keyed by (run, stage): the first attempt inserts it, a retried attempt
 * overwrites it with its own attempt number, worker and outcome. One row per stage, always.
 */
export async function upsertStageRun(db: Database, record: StageRunRecord): Promise<StageRun> {
  const { pipelineRunId: _pipelineRunId, stage: _stage, ...changes } = record;
  const [row] = await db
    .insert(stageRuns)
    .values(record)
    .onConflictDoUpdate({ target: [stageRuns.pipelineRunId, stageRuns.stage], set: changes })
    .returning();
  return row;
}

export async function listStageRuns(db: Database, pipelineRunId: number): Promise<StageRun[]> {
  return db
    .select()
    .from(stageRuns)
    .where(eq(stageRuns.pipelineRunId, pipelineRunId))
    .orderBy(stageRuns.startedAt);
}

/** The outputs of the latest successful stage runs with this cache key, newest first. */
export async function cachedStageOutputs(
  db: Database,
  cacheKey: string,
  limit: number,
): Promise<{ pipelineRunId: number; stage: string; outputs: Record<string, unknown> | null }[]> {
  return db
    .select({ pipelineRunId: stageRuns.pipelineRunId, stage: stageRuns.stage, outputs: stageRuns.outputs })
    .from(stageRuns)
    .where(and(eq(stageRuns.cacheKey, cacheKey), eq(stageRuns.status, 'succeeded')))
    .orderBy(desc(stageRuns.finishedAt))
    .limit(limit);
}
