import { and, desc, eq, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { auditEvents, modelAliases, models, modelVersions } from '../schema.js';
import { announceServingChange } from './serving.js';

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

/** The latest version of `modelName` made from exactly this model file (same artifact), if any. */
export async function findVersionByModelFile(
  db: Database,
  modelName: string,
  modelArtifactId: number,
): Promise<ModelVersion | undefined> {
  const [row] = await db
    .select({ version: modelVersions })
    .from(modelVersions)
    .innerJoin(models, eq(modelVersions.modelId, models.id))
    .where(and(eq(models.name, modelName), eq(modelVersions.modelArtifactId, modelArtifactId)))
    .orderBy(desc(modelVersions.version))
    .limit(1);
  return row?.version;
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

/** Points `alias` at a version; returns the version it pointed at before (for the audit trail). */
export async function setAlias(
  db: Database,
  version: ModelVersion,
  alias: string,
): Promise<number | undefined> {
  return db.transaction(async (transaction) => {
    const [previous] = await transaction
      .select({ modelVersionId: modelAliases.modelVersionId })
      .from(modelAliases)
      .where(and(eq(modelAliases.modelId, version.modelId), eq(modelAliases.alias, alias)))
      .for('update');
    await transaction
      .insert(modelAliases)
      .values({ modelId: version.modelId, alias, modelVersionId: version.id })
      .onConflictDoUpdate({
        target: [modelAliases.modelId, modelAliases.alias],
        set: { modelVersionId: version.id, updatedAt: new Date() },
      });
    // Delivered at commit: running prediction servers switch to the new version within moments.
    const [model] = await transaction
      .select({ name: models.name })
      .from(models)
      .where(eq(models.id, version.modelId));
    await announceServingChange(transaction, model.name);
    return previous?.modelVersionId;
  });
}

export interface AuditEventRecord {
  /** Same across retries of the writing activity, so the event is recorded once. */
  readonly eventKey: string;
  readonly subjectKind: string;
  readonly subject: string;
  readonly action: string;
  readonly actor: string;
  readonly reason?: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

export async function recordAuditEvent(db: Database, event: AuditEventRecord): Promise<void> {
  await db.insert(auditEvents).values(event).onConflictDoNothing();
}
