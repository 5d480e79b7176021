import { and, asc, eq, gt, gte, inArray, lt } from 'drizzle-orm';
import type { Database } from '../client.js';
import { labelFeedback, modelVersions, models, predictionLogs } from '../schema.js';

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
 * A model's logged predictions in a time window, page by page (keyset on id), with their feedback
 * labels: a million rows stream through without being held at once.
 */
export async function* loggedPredictions(
  db: Database,
  window: PredictionWindow,
  pageSize = 10_000,
): AsyncGenerator<LoggedPrediction[]> {
  let afterId = 0;
  for (;;) {
    const conditions = [
      eq(models.name, window.modelName),
      gte(predictionLogs.createdAt, window.from),
      lt(predictionLogs.createdAt, window.to),
      gt(predictionLogs.id, afterId),
    ];
    if (window.versionIds) conditions.push(inArray(predictionLogs.modelVersionId, [...window.versionIds]));
    const query = db
      .select({
        id: predictionLogs.id,
        modelVersionId: predictionLogs.modelVersionId,
        inputs: predictionLogs.inputs,
        output: predictionLogs.output,
        createdAt: predictionLogs.createdAt,
        label: labelFeedback.label,
        feedbackId: labelFeedback.id,
      })
      .from(predictionLogs)
      .innerJoin(modelVersions, eq(predictionLogs.modelVersionId, modelVersions.id))
      .innerJoin(models, eq(modelVersions.modelId, models.id));
    const joined = window.labeledOnly
      ? query.innerJoin(labelFeedback, eq(labelFeedback.predictionId, predictionLogs.predictionId))
      : query.leftJoin(labelFeedback, eq(labelFeedback.predictionId, predictionLogs.predictionId));
    const rows = await joined
      .where(and(...conditions))
      .orderBy(asc(predictionLogs.id))
      .limit(pageSize);
    if (rows.length === 0) return;
    yield rows.map((row) => ({ ...row, labeled: row.feedbackId !== null }));
    afterId = rows[rows.length - 1].id;
    if (rows.length < pageSize) return;
  }
}
