import { and, desc, eq, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { MetricValues } from '../../contracts/pipeline.js';
import type { PrimaryMetric } from '../../spec/types.js';
import type { Database } from '../client.js';
import { modelAliases, models, modelVersions, pipelineRuns, stageRuns } from '../schema.js';
import type { PipelineRun } from './runs.js';

/** Read-side listings for the CLI (`mlops runs list`, `mlops models list | show <name>`). */

export interface PipelineRunListing {
  readonly run: PipelineRun;
  /**
   * The model version this run registered, or the earlier one it reused (`reused`: an identical
   * earlier run trained the same model file, so the stage cache answered with its version).
   */
  readonly model: { readonly name: string; readonly version: number; readonly reused: boolean } | null;
}

/** Recent pipeline runs, newest first, optionally of one pipeline. */
export async function listPipelineRuns(
  db: Database,
  options: { readonly pipeline?: string; readonly limit: number },
): Promise<PipelineRunListing[]> {
  return runsWithTheirModel(db)
    .where(options.pipeline === undefined ? undefined : eq(pipelineRuns.pipelineName, options.pipeline))
    .orderBy(desc(pipelineRuns.startedAt), desc(pipelineRuns.id))
    .limit(options.limit)
    .then((rows) => rows.map(toListing));
}

/** The model version a pipeline run registered or reused, if any. */
export async function findModelVersionOfRun(
  db: Database,
  pipelineRunId: number,
): Promise<PipelineRunListing['model']> {
  const [row] = await runsWithTheirModel(db).where(eq(pipelineRuns.id, pipelineRunId));
  return row ? toListing(row).model : null;
}

/**
 * Runs joined to their model version: the one a run registered (its `pipelineRunId`) or the one
 * its register stage answered with. Both point at the same row when both exist, and a run has one
 * register stage row, so the joins add no rows.
 */
function runsWithTheirModel(db: Database) {
  const register = alias(stageRuns, 'register_stage');
  return db
    .select({
      run: pipelineRuns,
      modelName: models.name,
      version: modelVersions.version,
      versionRunId: modelVersions.pipelineRunId,
    })
    .from(pipelineRuns)
    .leftJoin(
      register,
      and(
        eq(register.pipelineRunId, pipelineRuns.id),
        eq(register.stage, 'register'),
        eq(register.status, 'succeeded'),
      ),
    )
    .leftJoin(
      modelVersions,
      or(
        eq(modelVersions.pipelineRunId, pipelineRuns.id),
        eq(modelVersions.id, sql<number>`(${register.outputs} ->> 'modelVersionId')::int`),
      ),
    )
    .leftJoin(models, eq(modelVersions.modelId, models.id))
    .$dynamic();
}

function toListing(row: {
  run: PipelineRun;
  modelName: string | null;
  version: number | null;
  versionRunId: number | null;
}): PipelineRunListing {
  return {
    run: row.run,
    model:
      row.modelName !== null && row.version !== null
        ? { name: row.modelName, version: row.version, reused: row.versionRunId !== row.run.id }
        : null,
  };
}

export interface ModelListing {
  readonly name: string;
  readonly task: string | null;
  readonly versions: number;
  readonly latestVersion: number | null;
  readonly championVersion: number | null;
  readonly createdAt: Date;
}

/** Every registered model with its number of versions, latest version and champion. */
export async function listModelSummaries(db: Database): Promise<ModelListing[]> {
  const champion = alias(modelVersions, 'champion_version');
  return db
    .select({
      name: models.name,
      task: models.task,
      versions: sql<number>`count(${modelVersions.id})::int`,
      latestVersion: sql<number | null>`max(${modelVersions.version})`,
      championVersion: sql<number | null>`max(${champion.version})`,
      createdAt: models.createdAt,
    })
    .from(models)
    .leftJoin(modelVersions, eq(modelVersions.modelId, models.id))
    .leftJoin(modelAliases, and(eq(modelAliases.modelId, models.id), eq(modelAliases.alias, 'champion')))
    .leftJoin(champion, eq(modelAliases.modelVersionId, champion.id))
    .groupBy(models.id)
    .orderBy(models.name);
}

export interface ModelVersionListing {
  readonly version: number;
  readonly status: (typeof modelVersions.$inferSelect)['status'];
  readonly createdAt: Date;
  readonly metrics: MetricValues;
  readonly primaryMetric: PrimaryMetric;
  readonly aliases: string[];
}

/** The versions of one model, newest first, with their aliases and primary metric's name. */
export async function listModelVersionsWithAliases(
  db: Database,
  modelId: number,
): Promise<ModelVersionListing[]> {
  const rows = await db
    .select({
      version: modelVersions.version,
      status: modelVersions.status,
      createdAt: modelVersions.createdAt,
      metrics: modelVersions.metrics,
      primaryMetric: modelVersions.primaryMetric,
      aliases: sql<
        string[]
      >`coalesce(array_agg(${modelAliases.alias} order by ${modelAliases.alias}) filter (where ${modelAliases.alias} is not null), '{}')`,
    })
    .from(modelVersions)
    .leftJoin(modelAliases, eq(modelAliases.modelVersionId, modelVersions.id))
    .where(eq(modelVersions.modelId, modelId))
    .groupBy(modelVersions.id)
    .orderBy(desc(modelVersions.version));
  return rows;
}
