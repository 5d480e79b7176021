import { and, desc, eq, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Database } from '../client.js';
import { modelAliases, models, modelVersions, pipelineRuns } from '../schema.js';
import type { PipelineRun } from './runs.js';

/** Read-side listings for the CLI (`mlops runs list`, `mlops models list | show <name>`). */

export interface PipelineRunListing {
  readonly run: PipelineRun;
  /** The model version this run registered, if it registered one. */
  readonly model: { readonly name: string; readonly version: number } | null;
}

/** Recent pipeline runs, newest first, optionally of one pipeline. */
export async function listPipelineRuns(
  db: Database,
  options: { readonly pipeline?: string; readonly limit: number },
): Promise<PipelineRunListing[]> {
  const rows = await db
    .select({ run: pipelineRuns, modelName: models.name, version: modelVersions.version })
    .from(pipelineRuns)
    // A run registers at most one version (its workflow id is the registration key), so the join adds no rows.
    .leftJoin(modelVersions, eq(modelVersions.pipelineRunId, pipelineRuns.id))
    .leftJoin(models, eq(modelVersions.modelId, models.id))
    .where(options.pipeline === undefined ? undefined : eq(pipelineRuns.pipelineName, options.pipeline))
    .orderBy(desc(pipelineRuns.startedAt), desc(pipelineRuns.id))
    .limit(options.limit);
  return rows.map((row) => ({
    run: row.run,
    model:
      row.modelName !== null && row.version !== null ? { name: row.modelName, version: row.version } : null,
  }));
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
  readonly metrics: Record<string, unknown>;
  /** The spec's `evaluation.primaryMetric` of the run that trained it (null for versions without a run). */
  readonly primaryMetric: string | null;
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
      primaryMetric: sql<string | null>`${pipelineRuns.spec} -> 'evaluation' ->> 'primaryMetric'`,
      aliases: sql<
        string[]
      >`coalesce(array_agg(${modelAliases.alias} order by ${modelAliases.alias}) filter (where ${modelAliases.alias} is not null), '{}')`,
    })
    .from(modelVersions)
    .leftJoin(pipelineRuns, eq(modelVersions.pipelineRunId, pipelineRuns.id))
    .leftJoin(modelAliases, eq(modelAliases.modelVersionId, modelVersions.id))
    .where(eq(modelVersions.modelId, modelId))
    .groupBy(modelVersions.id, pipelineRuns.id)
    .orderBy(desc(modelVersions.version));
  return rows;
}

/** The model version a pipeline run registered, if it registered one. */
export async function findModelVersionOfRun(
  db: Database,
  pipelineRunId: number,
): Promise<{ name: string; version: number } | null> {
  const [row] = await db
    .select({ name: models.name, version: modelVersions.version })
    .from(modelVersions)
    .innerJoin(models, eq(modelVersions.modelId, models.id))
    .where(eq(modelVersions.pipelineRunId, pipelineRunId));
  return row ?? null;
}
