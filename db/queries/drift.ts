import type { Database } from '../client.js';
import { driftReports } from '../schema.js';

export interface DriftReportRecord {
  readonly modelVersionId: number;
  readonly windowStart: Date;
  readonly windowEnd: Date;
  readonly rows: number;
  readonly drifted: boolean;
  readonly report: Record<string, unknown>;
}

/** Stores a window's drift report once per (version, window): a retried activity updates the same row. */
export async function upsertDriftReport(db: Database, record: DriftReportRecord): Promise<{ id: number }> {
  const [stored] = await db
    .insert(driftReports)
    .values(record)
    .onConflictDoUpdate({
      target: [driftReports.modelVersionId, driftReports.windowStart, driftReports.windowEnd],
      set: { rows: record.rows, drifted: record.drifted },
    })
    .returning({ id: driftReports.id });
  return stored;
}
