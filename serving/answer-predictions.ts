import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { PredictionLogRow } from '../db/queries/serving.js';
import type { RequestLabels, ServingContext } from './context.js';
import { HttpError, invalidInput } from './http-errors.js';
import { chooseVersion, type ServedModel } from './routing-table.js';
import type { ScoredInstances, ServedVersion } from './served-version.js';

/** What one request's instances got: the version that answered and, per instance, its answer. */
export interface AnsweredPredictions {
  readonly version: ServedVersion;
  readonly scored: ScoredInstances;
  readonly predictionIds: string[];
  /** Per instance, the inputs it left out that the model imputed (serving.allowMissing). */
  readonly imputed: string[][];
}

/**
 * The path every protocol's predict shares (KServe V1 and the Open Inference Protocol differ only
 * in how instances arrive and answers leave). Order matters: every instance is checked against
 * the chosen version's input schema and PII rules before anything reaches the model, hashed
 * inputs are hashed before scoring and logging, and the rows are in the prediction log (in its
 * queue, or durable in its spill file while the database is away) before the answer is sent.
 * `pinned` is a version the request named; otherwise the canary split chooses.
 */
export async function answerPredictions(
  context: ServingContext,
  served: ServedModel,
  labels: RequestLabels,
  request: {
    readonly instances: readonly unknown[];
    readonly requestKey: string | undefined;
    readonly pinned?: ServedVersion;
    /** When the request arrived (performance.now()), for the logged latency. */
    readonly started: number;
  },
): Promise<AnsweredPredictions> {
  const version = request.pinned ?? chooseVersion(served, request.requestKey) ?? modelNotReady(served);
  labels.version = String(version.version);
  const problems = version.validate(request.instances);
  if (problems.length > 0) throw invalidInput(problems);

  const valid = request.instances as readonly Record<string, unknown>[];
  const imputed = version.imputedFields(valid);
  // Personal data is hashed before the model sees it and before it is logged: the raw value of a
  // hashed input goes no further than this line.
  const instances = version.deidentify(valid);
  const scored = await version.score(instances);
  const predictionIds = instances.map(() => randomUUID());
  const createdAt = new Date();
  const latencyMs = performance.now() - request.started;
  const rows: PredictionLogRow[] = instances.map((inputs, index) => ({
    predictionId: predictionIds[index],
    modelVersionId: version.modelVersionId,
    deploymentId: served.deploymentId,
    inputs,
    output: scored.predictions[index],
    probabilities: scored.probabilities?.[index] ?? null,
    latencyMs,
    requestKey: request.requestKey ?? null,
    createdAt,
  }));
  // Usually taken at once; when the log is behind, this waits for room or refuses with 503.
  const queued = context.predictionLog.enqueue(rows);
  if (queued) await queued;

  for (const prediction of scored.predictions)
    context.metrics.predictions.inc([
      served.name,
      labels.version,
      typeof prediction === 'string' ? prediction : '',
    ]);
  return { version, scored, predictionIds, imputed };
}

/** 503 for a model whose champion is not in memory yet (or failed to load: its error says why). */
export function modelNotReady(served: ServedModel): never {
  throw new HttpError(
    503,
    'model_not_ready',
    `${served.name} is not loaded yet${served.loadError ? `: ${served.loadError}` : ''}`,
  );
}
