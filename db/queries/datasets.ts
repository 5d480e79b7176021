import { eq } from 'drizzle-orm';
import type { Database } from '../client.js';
import { datasets, datasetVersions, type DatasetSchema } from '../schema.js';

export type { DatasetSchema };

export type DatasetVersion = typeof datasetVersions.$inferSelect;

export interface DatasetVersionRecord {
  readonly datasetName: string;
  readonly sha256: string;
  readonly uri: string;
  readonly rows: number;
  readonly bytes: number;
  readonly schema: DatasetSchema;
  readonly profile?: Record<string, unknown>;
  readonly source: Record<string, unknown>;
}

/** The same content under the same dataset name is one version, however often it is ingested. */
export async function upsertDatasetVersion(
  db: Database,
  record: DatasetVersionRecord,
): Promise<DatasetVersion> {
  return db.transaction(async (transaction) => {
    const [dataset] = await transaction
      .insert(datasets)
      .values({ name: record.datasetName })
      .onConflictDoUpdate({ target: datasets.name, set: { name: record.datasetName } })
      .returning();
    const { datasetName: _name, ...version } = record;
    const [row] = await transaction
      .insert(datasetVersions)
      .values({ ...version, datasetId: dataset.id })
      .onConflictDoUpdate({
        target: [datasetVersions.datasetId, datasetVersions.sha256],
        set: { sha256: record.sha256 },
      })
      .returning();
    return row;
  });
}

/** A dataset version's columns (names, DuckDB types, whether they hold nulls), in order. */
export async function datasetSchema(db: Database, datasetVersionId: number): Promise<DatasetSchema> {
  const [row] = await db
    .select({ schema: datasetVersions.schema })
    .from(datasetVersions)
    .where(eq(datasetVersions.id, datasetVersionId));
  return row?.schema ?? { columns: [] };
}

/** A dataset version's column names, in order. */
export async function datasetColumns(db: Database, datasetVersionId: number): Promise<string[]> {
  return (await datasetSchema(db, datasetVersionId)).columns.map((column) => column.name);
}

export async function findDatasetVersion(db: Database, id: number) {
  const [row] = await db
    .select({ version: datasetVersions, datasetName: datasets.name })
    .from(datasetVersions)
    .innerJoin(datasets, eq(datasetVersions.datasetId, datasets.id))
    .where(eq(datasetVersions.id, id));
  return row;
}
