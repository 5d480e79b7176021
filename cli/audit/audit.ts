import { scheduleIdFor } from '../../client/schedules.js';
import type { Config } from '../../config/index.js';
import type { AuditSubjectKind } from '../../contracts/audit-keys.js';
import { listAuditEvents, type AuditEvent } from '../../db/queries/audit.js';
import { formatChange, formatTimestamp, renderTable, truncate } from '../formatting.js';
import { openSession } from '../session.js';
import { cliLogger, exitCodes, printJson } from '../shared.js';

export interface AuditOptions {
  readonly model?: string;
  readonly subjectKind?: AuditSubjectKind;
  readonly since?: Date;
  readonly limit: number;
  readonly json?: boolean;
}

/** `mlops audit [--model <name>] [--subject-kind <kind>] [--since <time>] [--limit n]`: oldest first. */
export async function auditCommand(config: Config, options: AuditOptions): Promise<number> {
  const session = await openSession(config, cliLogger(config, 'audit'), { workers: false, database: true });
  try {
    const events = await listAuditEvents(session.database.db, {
      subjects: options.model
        ? [
            { kind: 'model', subject: options.model },
            { kind: 'schedule', subject: scheduleIdFor(options.model) },
          ]
        : undefined,
      subjectKind: options.subjectKind,
      since: options.since,
      limit: options.limit,
    });
    if (options.json) printJson({ events: events.map(auditEventDocument) });
    else process.stdout.write(`${renderAuditEvents(events, options).join('\n')}\n`);
    return exitCodes.ok;
  } finally {
    await session.close();
  }
}

export function auditEventDocument(event: AuditEvent) {
  return {
    id: event.id,
    at: event.createdAt.toISOString(),
    subjectKind: event.subjectKind,
    subject: event.subject,
    action: event.action,
    actor: event.actor,
    reason: event.reason,
    before: event.before,
    after: event.after,
    eventKey: event.eventKey,
  };
}

function renderAuditEvents(events: readonly AuditEvent[], options: AuditOptions): string[] {
  if (events.length === 0)
    return [options.model ? `no audit events for ${options.model}` : 'no audit events match'];
  return renderTable(
    ['TIME', 'ACTION', 'SUBJECT', 'ACTOR', 'REASON', 'CHANGE'],
    events.map((event) => [
      formatTimestamp(event.createdAt),
      event.action,
      `${event.subjectKind} ${event.subject}`,
      truncate(event.actor, 40),
      truncate(event.reason ?? '-', 60),
      formatChange(event.before, event.after),
    ]),
  );
}
