import { and, desc, eq, lte, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { driftReports, models, modelVersions, type StoredLiveMetric } from '../schema.js';

export type { StoredLiveMetric };

export interface DriftReportRecord {
  readonly modelVersionId: number;
  readonly windowStart: Date;
  readonly windowEnd: Date;
  readonly rows: number;
  readonly drifted: boolean;
  readonly report: Record<string, unknown>;
  readonly liveMetric?: StoredLiveMetric | null;
}

/**
 * Stores a window's drift report once per (version, window): a retried activity updates the same
 * row, with what it found this time (labels may have arrived since).
 */
export async function upsertDriftReport(db: Database, record: DriftReportRecord): Promise<{ id: number }> {
  const [stored] = await db
    .insert(driftReports)
    .values(record)
    .onConflictDoUpdate({
      target: [driftReports.modelVersionId, driftReports.windowStart, driftReports.windowEnd],
      set: {
        rows: record.rows,
        drifted: record.drifted,
        report: record.report,
        liveMetric: record.liveMetric ?? null,
      },
    })
    .returning({ id: driftReports.id });
  return stored;
}

/** One stored window of a model, without its report document (the history a report draws). */
export interface DriftWindowRow {
  readonly id: number;
  readonly version: number;
  readonly windowStart: Date;
  readonly windowEnd: Date;
  readonly rows: number;
  readonly drifted: boolean;
  /** The largest PSI over the window's features; null when none is a number. */
  readonly maxPsi: number | null;
  readonly liveMetric: StoredLiveMetric | null;
  readonly createdAt: Date;
}

export interface StoredDriftReport extends DriftWindowRow {
  readonly report: Record<string, unknown>;
}

const windowColumns = {
  id: driftReports.id,
  version: modelVersions.version,
  windowStart: driftReports.windowStart,
  windowEnd: driftReports.windowEnd,
  rows: driftReports.rows,
  drifted: driftReports.drifted,
  // NaN and infinities are stored as JSON null, which the cast keeps null and max() skips.
  maxPsi: sql<number | null>`(select max((feature ->> 'populationStabilityIndex')::double precision)
    from jsonb_array_elements(${driftReports.report} -> 'features') as feature)`.mapWith((value: unknown) =>
    value === null ? null : Number(value),
  ),
  liveMetric: driftReports.liveMetric,
  createdAt: driftReports.createdAt,
};

/**
 * A model's windows, newest first: `limit` of them ending at or before `until` (default: now and
 * later too), whichever version served them.
 */
export async function listDriftWindows(
  db: Database,
  modelName: string,
  options: { readonly limit: number; readonly until?: Date; readonly offset?: number },
): Promise<DriftWindowRow[]> {
  return db
    .select(windowColumns)
    .from(driftReports)
    .innerJoin(modelVersions, eq(driftReports.modelVersionId, modelVersions.id))
    .innerJoin(models, eq(modelVersions.modelId, models.id))
    .where(
      and(
        eq(models.name, modelName),
        options.until === undefined ? undefined : lte(driftReports.windowEnd, options.until),
      ),
    )
    .orderBy(desc(driftReports.windowEnd), desc(driftReports.id))
    .limit(options.limit)
    .offset(options.offset ?? 0);
}

/**
 * One window's report: the `newest`-th newest (1 = the latest) or the one with id `id`; undefined
 * when the model has no such window.
 */
export async function findDriftReport(
  db: Database,
  modelName: string,
  which: { readonly newest: number } | { readonly id: number },
): Promise<StoredDriftReport | undefined> {
  const [row] = await db
    .select({ ...windowColumns, report: driftReports.report })
    .from(driftReports)
    .innerJoin(modelVersions, eq(driftReports.modelVersionId, modelVersions.id))
    .innerJoin(models, eq(modelVersions.modelId, models.id))
    .where(and(eq(models.name, modelName), 'id' in which ? eq(driftReports.id, which.id) : undefined))
    .orderBy(desc(driftReports.windowEnd), desc(driftReports.id))
    .limit(1)
    .offset('newest' in which ? which.newest - 1 : 0);
  return row;
}

/** How many windows the model has stored (so "window 7 of 3" can be told apart from "none yet"). */
export async function countDriftWindows(db: Database, modelName: string): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`count(*)`.mapWith(Number) })
    .from(driftReports)
    .innerJoin(modelVersions, eq(driftReports.modelVersionId, modelVersions.id))
    .innerJoin(models, eq(modelVersions.modelId, models.id))
    .where(eq(models.name, modelName));
  return row?.count ?? 0;
}
