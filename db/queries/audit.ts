import { and, asc, desc, eq, gte, or, type SQL } from 'drizzle-orm';
import { auditSubjectKinds, type AuditSubjectKind } from '../../contracts/audit-keys.js';
import type { Database, Transaction } from '../client.js';
import { auditEvents } from '../schema.js';

/**
 * The audit trail: one row per change to the registry, what is served, schedules and tokens.
 * Rows are only ever inserted (a trigger of the migrations makes the database refuse UPDATE, DELETE and
 * TRUNCATE on the table); nothing here or anywhere else in the platform changes one.
 */

export type AuditEvent = typeof auditEvents.$inferSelect;

export { auditSubjectKinds, type AuditSubjectKind };

export interface AuditEventRecord {
  /** Same across retries of the writing activity or command, so the event is recorded once. */
  readonly eventKey: string;
  readonly subjectKind: AuditSubjectKind;
  readonly subject: string;
  readonly action: string;
  /** Who: a person at the CLI, a pipeline, the monitor, a schedule, the platform itself. */
  readonly actor: string;
  readonly reason?: string;
  /** Small JSON documents of the state the change concerns; never secrets. */
  readonly before?: unknown;
  readonly after?: unknown;
}

/** Records an event once per eventKey: a second write of the same change is a no-op. */
export async function recordAuditEvent(db: Database | Transaction, event: AuditEventRecord): Promise<void> {
  await db.insert(auditEvents).values(event).onConflictDoNothing();
}

export interface AuditEventFilter {
  /** Any of these subjects (`--model` names the model and its training schedule). */
  readonly subjects?: readonly { readonly kind: string; readonly subject: string }[];
  readonly subjectKind?: string;
  readonly since?: Date;
  readonly limit: number;
}

/** The newest `limit` events that match, oldest first (the order they happened in). */
export async function listAuditEvents(db: Database, filter: AuditEventFilter): Promise<AuditEvent[]> {
  const conditions: (SQL | undefined)[] = [
    filter.subjects
      ? or(
          ...filter.subjects.map(({ kind, subject }) =>
            and(eq(auditEvents.subjectKind, kind), eq(auditEvents.subject, subject)),
          ),
        )
      : undefined,
    filter.subjectKind === undefined ? undefined : eq(auditEvents.subjectKind, filter.subjectKind),
    filter.since === undefined ? undefined : gte(auditEvents.createdAt, filter.since),
  ];
  const newest = await db
    .select()
    .from(auditEvents)
    .where(and(...conditions))
    .orderBy(desc(auditEvents.createdAt), desc(auditEvents.id))
    .limit(filter.limit);
  return newest.reverse();
}

/** Oldest first, every event about one subject (tests and tooling). */
export async function auditEventsOf(
  db: Database,
  subjectKind: AuditSubjectKind,
  subject: string,
): Promise<AuditEvent[]> {
  return db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.subjectKind, subjectKind), eq(auditEvents.subject, subject)))
    .orderBy(asc(auditEvents.createdAt), asc(auditEvents.id));
}
