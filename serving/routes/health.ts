import { pingDatabase } from '../../db/queries/serving.js';
import type { RouteHandler } from '../context.js';
import { EXPOSITION_CONTENT_TYPE } from '../prometheus.js';

/** `GET /healthz`: the process is alive and answering (no token). */
export const healthRoute: RouteHandler = () => ({ status: 200, body: { status: 'ok' } });

const DATABASE_PING_TIMEOUT_MS = 2000;

/**
 * `GET /readyz` (no token): 200 when the database answers and every served model has its champion
 * in memory; 503 with the reasons otherwise, and while shutting down, so a load balancer stops
 * sending traffic before the server stops taking it.
 */
export const readinessRoute: RouteHandler = async (context) => {
  const problems: string[] = [];
  if (context.shuttingDown()) problems.push('shutting down');
  try {
    await withTimeout(pingDatabase(context.db), DATABASE_PING_TIMEOUT_MS);
  } catch (error) {
    problems.push(`the database does not answer: ${(error as Error).message}`);
  }
  problems.push(...context.models.ready.problems);
  const models = [...context.models.current.values()].map((model) => ({
    name: model.name,
    ready: model.champion !== null,
    version: model.champion?.version ?? null,
  }));
  return {
    status: problems.length === 0 ? 200 : 503,
    body: { ready: problems.length === 0, problems, models },
  };
};

/** `GET /metrics` (no token): Prometheus text exposition, the server's metrics and the process's. */
export const metricsRoute: RouteHandler = async (context) => {
  // Read when scraped, not kept current on every request: the prediction log's depth is the source.
  context.metrics.logQueueDepth.set([], context.predictionLog.depth);
  const spill = context.predictionLog.spillDepth;
  context.metrics.logSpillRows.set([], spill.rows);
  context.metrics.logSpillBytes.set([], spill.bytes);
  return { status: 200, text: await context.metrics.renderAll(), contentType: EXPOSITION_CONTENT_TYPE };
};

function withTimeout<T>(promise: Promise<T>, milliseconds: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${milliseconds} ms`)), milliseconds);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
