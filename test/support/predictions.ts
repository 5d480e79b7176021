import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { labelFeedback, predictionLogs } from '../../db/schema.js';
import type { Database } from '../../db/client.js';

export type Row = Record<string, unknown>;

/** The penguins rows with a species, as served requests would carry them. */
export function penguinRows(): Row[] {
  const rows = JSON.parse(readFileSync('node_modules/vega-datasets/data/penguins.json', 'utf8')) as Row[];
  return rows.filter((row) => row.Species !== null);
}

/**
 * Writes logged predictions (and their labels) as the serving layer does, for a given version and
 * time, so monitoring and promotion can be tested without HTTP in between.
 */
export async function logPredictions(
  db: Database,
  options: { modelVersionId: number; rows: readonly Row[]; target: string; at?: Date; labeled?: boolean },
): Promise<void> {
  const at = options.at ?? new Date();
  const logs = options.rows.map((row) => {
    const inputs = Object.fromEntries(Object.entries(row).filter(([name]) => name !== options.target));
    return {
      predictionId: randomUUID(),
      modelVersionId: options.modelVersionId,
      inputs,
      output: null,
      latencyMs: 1,
      createdAt: at,
      label: row[options.target],
    };
  });
  for (let start = 0; start < logs.length; start += 500) {
    const batch = logs.slice(start, start + 500);
    await db
      .insert(predictionLogs)
      .values(batch.map(({ label: _label, ...log }) => ({ ...log, output: 'logged' })));
    if (options.labeled !== false)
      await db
        .insert(labelFeedback)
        .values(batch.map((log) => ({ predictionId: log.predictionId, label: log.label })));
  }
}
