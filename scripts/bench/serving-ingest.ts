import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import {
  insertPredictionLogs,
  predictionLogRecordset,
  type PredictionLogRow,
} from '../../db/queries/serving.js';
import { predictionLogs } from '../../db/schema.js';

const ROWS = 50_000;
const BATCH = 1000;
const REQUEST_KEY = 'bench-ingest';

/**
 * How fast prediction-log batches reach PostgreSQL: the server's writer (one JSON document per
 * batch, expanded by jsonb_to_recordset: one parameter) against a plain multi-row INSERT ... VALUES
 * with nine parameters per row (Drizzle's insert). The rows are deleted afterwards.
 */
export async function measureLogIngest(
  db: Database,
  modelVersionId: number,
): Promise<{ method: string; rowsPerSecond: number }[]> {
  const methods: [string, (rows: PredictionLogRow[]) => Promise<unknown>][] = [
    ['jsonb_to_recordset (the server writer)', (rows) => insertPredictionLogs(db, rows)],
    ['json_to_recordset', (rows) => insertWithJsonRecordset(db, rows)],
    [
      'multi-row INSERT ... VALUES',
      (rows) =>
        db
          .insert(predictionLogs)
          .values(
            rows.map((entry) => ({
              ...entry,
              inputs: entry.inputs as Record<string, unknown>,
              probabilities: entry.probabilities as Record<string, number> | null,
            })),
          )
          .onConflictDoNothing(),
    ],
  ];
  const results: { method: string; rowsPerSecond: number }[] = [];
  try {
    // Alternating rounds, best of two per method, so neither gains from going second.
    const best = new Map<string, number>();
    for (let round = 0; round < 2; round += 1) {
      for (const [method, write] of methods) {
        const batches = Array.from({ length: ROWS / BATCH }, () =>
          Array.from({ length: BATCH }, () => row(modelVersionId)),
        );
        const started = performance.now();
        for (const batch of batches) await write(batch);
        const rate = ROWS / ((performance.now() - started) / 1000);
        best.set(method, Math.max(best.get(method) ?? 0, rate));
      }
    }
    for (const [method] of methods) results.push({ method, rowsPerSecond: best.get(method) ?? 0 });
  } finally {
    await db.delete(predictionLogs).where(eq(predictionLogs.requestKey, REQUEST_KEY));
  }
  return results;
}

function row(modelVersionId: number): PredictionLogRow {
  return {
    predictionId: randomUUID(),
    modelVersionId,
    deploymentId: null,
    inputs: {
      Island: 'Biscoe',
      'Beak Length (mm)': 45.1,
      'Beak Depth (mm)': 14.5,
      'Flipper Length (mm)': 215,
      'Body Mass (g)': 5000,
    },
    output: 'Gentoo',
    probabilities: { Adelie: 0.01, Chinstrap: 0.02, Gentoo: 0.97 },
    latencyMs: 0.4,
    requestKey: REQUEST_KEY,
    createdAt: new Date(),
  };
}

/** The writer's statement with json instead of jsonb: the alternative it was measured against. */
function insertWithJsonRecordset(db: Database, rows: readonly PredictionLogRow[]) {
  const document = predictionLogRecordset(rows);
  return db.execute(sql`
    insert into prediction_logs
      (prediction_id, model_version_id, deployment_id, inputs, output, probabilities, latency_ms, request_key, created_at)
    select prediction_id, model_version_id, deployment_id, inputs, output, probabilities, latency_ms, request_key, created_at
    from json_to_recordset(${document}::json) as batch(
      prediction_id uuid, model_version_id integer, deployment_id integer, inputs jsonb, output jsonb,
      probabilities jsonb, latency_ms double precision, request_key text, created_at timestamptz)
    on conflict (prediction_id) do nothing`);
}
