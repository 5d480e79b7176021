import { performance } from 'node:perf_hooks';
import { answerPredictions } from '../answer-predictions.js';
import type { RouteHandler } from '../context.js';
import { parsePredictRequest, REQUEST_KEY_HEADER } from '../predict-request.js';
import { readJsonBody } from '../request-body.js';
import { servedModelOrNotFound } from './models.js';

/**
 * `POST /v1/models/<name>:predict` (KServe V1). The caller is authorized and the model found
 * before the body is read; answerPredictions does the rest.
 */
export const predictRoute: RouteHandler = async (context, request, labels, modelName) => {
  const started = performance.now();
  context.auth.authorize(request.headers.authorization, 'predict');
  const served = servedModelOrNotFound(context, modelName);
  labels.model = served.name;
  const body = await readJsonBody(request, context.settings.maxBodyBytes);
  const { instances, requestKey } = parsePredictRequest(
    body,
    request.headers[REQUEST_KEY_HEADER],
    context.settings.maxInstances,
  );
  const answered = await answerPredictions(context, served, labels, { instances, requestKey, started });
  const { scored } = answered;
  return {
    status: 200,
    body: {
      predictions: scored.predictions,
      ...(scored.probabilities ? { probabilities: scored.probabilities } : {}),
      predictionIds: answered.predictionIds,
      imputed: answered.imputed,
      model: served.name,
      version: answered.version.version,
    },
  };
};
