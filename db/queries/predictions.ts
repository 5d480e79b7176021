import type { Database } from '../client.js';

export interface LoggedPrediction {
  readonly id: number;
  readonly modelVersionId: number;
  readonly inputs: Record<string, unknown>;
  readonly output: unknown;
  readonly createdAt: Date;
  /** The ground truth, when feedback arrived. */
  readonly label: unknown;
  readonly labeled: boolean;
}

export interface PredictionWindow {
  readonly modelName: string;
  readonly from: Date;
  readonly to: Date;
  /** Only these versions' predictions; default: every version of the model. */
  readonly versionIds?: readonly number[];
  readonly labeledOnly?: boolean;
}

/**
 * A model's logged predictions in a time window, page by page, oldest id first, with their
 * feedback labels: a million rows stream through without being held at once.
 *
 * One query read through a server-side cursor (in a transaction on a client of its own). Keyset
 * pages (`id > last ... limit n`) were planned as "scan the window, sort by id, keep n", which
 * re-read the whole window for every page: 37 s for a million rows instead of a few.
 */
export async function* loggedPredictions(
  db: Database,
  window: PredictionWindow,
  pageSize = 10_000,
): AsyncGenerator<LoggedPrediction[]> {
  const params: unknown[] = [window.modelName, window.from, window.to];
  if (window.versionIds) params.push([...window.versionIds]);
  const text = `DECLARE logged_predictions NO SCROLL CURSOR FOR
    SELECT p.id, p.model_version_id, p.inputs, p.output, f.label, f.id AS feedback_id,
      extract(epoch FROM p.created_at)::float8 * 1000 AS created_ms
    FROM prediction_logs p
    JOIN model_versions v ON v.id = p.model_version_id
    JOIN models m ON m.id = v.model_id
    ${window.labeledOnly ? 'JOIN' : 'LEFT JOIN'} label_feedback f ON f.prediction_id = p.prediction_id
    WHERE m.name = $1 AND p.created_at >= $2 AND p.created_at < $3
      ${window.versionIds ? 'AND p.model_version_id = ANY($4::int[])' : ''}
    ORDER BY p.id`;
  const client = await db.$client.connect();
  try {
    await client.query('BEGIN READ ONLY');
    await client.query(text, params);
    for (;;) {
      const { rows } = await client.query<CursorRow>(`FETCH ${pageSize} FROM logged_predictions`);
      if (rows.length === 0) break;
      yield rows.map((row) => ({
        id: Number(row.id),
        modelVersionId: row.model_version_id,
        inputs: row.inputs,
        output: row.output,
        createdAt: new Date(Math.floor(row.created_ms)),
        label: row.label,
        labeled: row.feedback_id !== null,
      }));
      if (rows.length < pageSize) break;
    }
  } finally {
    // Also runs when the reader stops early: the rollback closes the cursor. A client that cannot
    // roll back is broken and is dropped rather than returned to the pool.
    const rolledBack = await client.query('ROLLBACK').then(
      () => true,
      () => false,
    );
    client.release(!rolledBack);
  }
}

interface CursorRow {
  readonly id: string;
  readonly model_version_id: number;
  readonly inputs: Record<string, unknown>;
  readonly output: unknown;
  /** Epoch milliseconds: pg's timestamp parsing cost a third of the read. */
  readonly created_ms: number;
  readonly label: unknown;
  readonly feedback_id: string | null;
}
