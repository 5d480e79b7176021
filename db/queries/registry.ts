import { and, desc, eq, sql } from 'drizzle-orm';
import { isPipelineSpec } from '../../contracts/runs.js';
import type { PipelineSpec } from '../../spec/types.js';
import type { Database } from '../client.js';
import { artifacts, modelAliases, models, modelVersions, pipelineRuns } from '../schema.js';

export type Model = typeof models.$inferSelect;
export type ModelVersion = typeof modelVersions.$inferSelect;
export type ModelVersionRecord = Omit<
  typeof modelVersions.$inferInsert,
  'id' | 'modelId' | 'version' | 'createdAt'
>;

/**
 * Registers a version of `modelName`, numbered one above the latest. Concurrent runs are
 * serialized on the model's row; a retried registration (same registrationKey) returns the
 * version it created the first time instead of creating another.
 */
export async function registerModelVersion(
  db: Database,
  modelName: string,
  task: string,
  record: ModelVersionRecord,
): Promise<{ model: Model; version: ModelVersion; created: boolean }> {
  return db.transaction(async (transaction) => {
    const [model] = await transaction
      .insert(models)
      .values({ name: modelName, task })
      .onConflictDoUpdate({ target: models.name, set: { task } })
      .returning();
    await transaction.execute(sql`select id from ${models} where ${models.id} = ${model.id} for update`);
    const [existing] = await transaction
      .select()
      .from(modelVersions)
      .where(
        and(eq(modelVersions.modelId, model.id), eq(modelVersions.registrationKey, record.registrationKey)),
      );
    if (existing) return { model, version: existing, created: false };
    const [{ latest }] = await transaction
      .select({ latest: sql<number>`coalesce(max(${modelVersions.version}), 0)::int` })
      .from(modelVersions)
      .where(eq(modelVersions.modelId, model.id));
    const [version] = await transaction
      .insert(modelVersions)
      .values({ ...record, modelId: model.id, version: latest + 1 })
      .returning();
    return { model, version, created: true };
  });
}

/**
 * The latest version of `modelName` with this status whose model file has these bytes (by
 * sha256: the stage cache may hand a run the same model stored under another pipeline's prefix).
 */
export async function findVersionByModelFile(
  db: Database,
  modelName: string,
  modelFileSha256: string,
  status: ModelVersion['status'],
): Promise<ModelVersion | undefined> {
  const [row] = await db
    .select({ version: modelVersions })
    .from(modelVersions)
    .innerJoin(models, eq(modelVersions.modelId, models.id))
    .innerJoin(artifacts, eq(modelVersions.modelArtifactId, artifacts.id))
    .where(
      and(
        eq(models.name, modelName),
        eq(artifacts.sha256, modelFileSha256),
        eq(modelVersions.status, status),
      ),
    )
    .orderBy(desc(modelVersions.version))
    .limit(1);
  return row?.version;
}

/** The pipeline spec a version was trained with; undefined for a version no training run made. */
export async function trainingSpecOf(
  db: Database,
  modelVersionId: number,
): Promise<PipelineSpec | undefined> {
  const [row] = await db
    .select({ spec: pipelineRuns.spec })
    .from(modelVersions)
    .innerJoin(pipelineRuns, eq(modelVersions.pipelineRunId, pipelineRuns.id))
    .where(eq(modelVersions.id, modelVersionId));
  return row && isPipelineSpec(row.spec) ? row.spec : undefined;
}

/** A version with its model file's artifact row (undefined when either is missing). */
export async function findVersionWithModelFile(db: Database, name: string, version: number) {
  const [row] = await db
    .select({ version: modelVersions, file: artifacts })
    .from(modelVersions)
    .innerJoin(models, eq(modelVersions.modelId, models.id))
    .innerJoin(artifacts, eq(modelVersions.modelArtifactId, artifacts.id))
    .where(and(eq(models.name, name), eq(modelVersions.version, version)));
  return row;
}

/** A version with its model and the run that trained it, for its report. */
export async function findVersionWithRun(db: Database, modelVersionId: number) {
  const [row] = await db
    .select({ version: modelVersions, model: models, run: pipelineRuns })
    .from(modelVersions)
    .innerJoin(models, eq(modelVersions.modelId, models.id))
    .innerJoin(pipelineRuns, eq(modelVersions.pipelineRunId, pipelineRuns.id))
    .where(eq(modelVersions.id, modelVersionId));
  return row;
}

export async function setVersionReport(db: Database, modelVersionId: number, reportArtifactId: number) {
  await db.update(modelVersions).set({ reportArtifactId }).where(eq(modelVersions.id, modelVersionId));
}

export async function findModel(db: Database, name: string): Promise<Model | undefined> {
  const [row] = await db.select().from(models).where(eq(models.name, name));
  return row;
}

export async function findModelVersion(
  db: Database,
  name: string,
  version: number,
): Promise<ModelVersion | undefined> {
  const [row] = await db
    .select({ version: modelVersions })
    .from(modelVersions)
    .innerJoin(models, eq(modelVersions.modelId, models.id))
    .where(and(eq(models.name, name), eq(modelVersions.version, version)));
  return row?.version;
}

export async function listModelVersions(db: Database, name: string): Promise<ModelVersion[]> {
  const rows = await db
    .select({ version: modelVersions })
    .from(modelVersions)
    .innerJoin(models, eq(modelVersions.modelId, models.id))
    .where(eq(models.name, name))
    .orderBy(desc(modelVersions.version));
  return rows.map((row) => row.version);
}

/** The version an alias (champion, challenger) points at, if any. */
export async function findAliasedVersion(
  db: Database,
  name: string,
  alias: string,
): Promise<ModelVersion | undefined> {
  const [row] = await db
    .select({ version: modelVersions })
    .from(modelAliases)
    .innerJoin(models, eq(modelAliases.modelId, models.id))
    .innerJoin(modelVersions, eq(modelAliases.modelVersionId, modelVersions.id))
    .where(and(eq(models.name, name), eq(modelAliases.alias, alias)));
  return row?.version;
}

/** Registration and lifecycle activities record their events through the audit trail's writer. */
export { recordAuditEvent, type AuditEventRecord } from './audit.js';
