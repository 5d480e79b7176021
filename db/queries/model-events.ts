import { and, asc, eq, gte, lte } from 'drizzle-orm';
import type { Database } from '../client.js';
import { auditEvents, pipelineRuns } from '../schema.js';

/**
 * What happened to a model in a stretch of time, as the database recorded it: its audit events
 * (registrations, promotions, rollbacks, canaries, approvals) and the training runs of its
 * pipeline (a run the monitor started is a retrain), oldest first.
 */
export interface ModelEvent {
  readonly at: Date;
  /** `retrain` / `training` for a pipeline run; otherwise the audit event's action. */
  readonly action: string;
  readonly actor: string;
  readonly detail: string | null;
}

const MAX_EVENTS = 500;

export async function modelEventsBetween(
  db: Database,
  modelName: string,
  span: { readonly from: Date; readonly to: Date },
): Promise<ModelEvent[]> {
  const audited = await db
    .select()
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.subjectKind, 'model'),
        eq(auditEvents.subject, modelName),
        gte(auditEvents.createdAt, span.from),
        lte(auditEvents.createdAt, span.to),
      ),
    )
    .orderBy(asc(auditEvents.createdAt), asc(auditEvents.id))
    .limit(MAX_EVENTS);
  const runs = await db
    .select()
    .from(pipelineRuns)
    .where(
      and(
        eq(pipelineRuns.pipelineName, modelName),
        gte(pipelineRuns.startedAt, span.from),
        lte(pipelineRuns.startedAt, span.to),
      ),
    )
    .orderBy(asc(pipelineRuns.startedAt), asc(pipelineRuns.id))
    .limit(MAX_EVENTS);
  const events: ModelEvent[] = [
    ...audited.map((event) => ({
      at: event.createdAt,
      action: event.action,
      actor: event.actor,
      detail: [versionsOf(event.after), event.reason].filter(Boolean).join(': ') || null,
    })),
    ...runs.map((run) => ({
      at: run.startedAt,
      action: run.trigger === 'monitor' ? 'retrain' : 'training',
      actor: run.trigger,
      detail: `${run.workflowId} (${run.status})`,
    })),
  ];
  return events.sort((a, b) => a.at.getTime() - b.at.getTime()).slice(0, MAX_EVENTS);
}

/** "v3" or "champion v2, challenger v3 at 30%" from an event's `after` document. */
function versionsOf(after: unknown): string {
  if (typeof after !== 'object' || after === null) return '';
  const document = after as Record<string, unknown>;
  if (typeof document.version === 'number') return `v${document.version}`;
  if (typeof document.champion !== 'number') return '';
  const challenger =
    typeof document.challenger === 'number'
      ? `, challenger v${document.challenger} at ${Math.round(Number(document.share ?? 0) * 100)}%`
      : '';
  return `champion v${document.champion}${challenger}`;
}
