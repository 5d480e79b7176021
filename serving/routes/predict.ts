import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { PredictionLogRow } from '../../db/queries/serving.js';
import type { RouteHandler } from '../context.js';
import { HttpError, invalidInput } from '../http-errors.js';
import { parsePredictRequest, REQUEST_KEY_HEADER } from '../predict-request.js';
import { readJsonBody } from '../request-body.js';
import { chooseVersion } from '../routing-table.js';
import { servedModelOrNotFound } from './models.js';

/**
 * `POST /v1/models/<name>:predict`. Order matters: the caller is authorized and the model found
 * before the body is read, the body is checked (structure, then every instance against the chosen version's input
 * schema and PII rules) before anything reaches the model, hashed inputs are hashed before scoring
 * and logging, and the rows are in the prediction log (in its queue, or durable in its spill file
 * while the database is away) before the answer is sent.
 */
export const predictRoute: RouteHandler = async (context, request, labels, modelName) => {
  const started = performance.now();
  context.auth.authorize(request.headers.authorization, 'predict');
  const served = servedModelOrNotFound(context, modelName);
  labels.model = served.name;
  const body = await readJsonBody(request, context.settings.maxBodyBytes);
  const predictRequest = parsePredictRequest(
    body,
    request.headers[REQUEST_KEY_HEADER],
    context.settings.maxInstances,
  );
  const version = chooseVersion(served, predictRequest.requestKey);
  if (!version) {
    throw new HttpError(
      503,
      'model_not_ready',
      `${served.name} is not loaded yet${served.loadError ? `: ${served.loadError}` : ''}`,
    );
  }
  labels.version = String(version.version);
  const problems = version.validate(predictRequest.instances);
  if (problems.length > 0) throw invalidInput(problems);

  // Personal data is hashed before the model sees it and before it is logged: the raw value of a
  // hashed input goes no further than this line.
  const instances = version.deidentify(predictRequest.instances as readonly Record<string, unknown>[]);
  const scored = await version.score(instances);
  const predictionIds = instances.map(() => randomUUID());
  const createdAt = new Date();
  const latencyMs = performance.now() - started;
  const rows: PredictionLogRow[] = instances.map((inputs, index) => ({
    predictionId: predictionIds[index],
    modelVersionId: version.modelVersionId,
    deploymentId: served.deploymentId,
    inputs,
    output: scored.predictions[index],
    probabilities: scored.probabilities?.[index] ?? null,
    latencyMs,
    requestKey: predictRequest.requestKey ?? null,
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
  return {
    status: 200,
    body: {
      predictions: scored.predictions,
      ...(scored.probabilities ? { probabilities: scored.probabilities } : {}),
      predictionIds,
      model: served.name,
      version: version.version,
    },
  };
};
