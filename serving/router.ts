import type { RouteHandler } from './context.js';
import { HttpError } from './http-errors.js';
import type { RouteLabel } from './metrics.js';
import { feedbackRoute } from './routes/feedback.js';
import { healthRoute, metricsRoute, readinessRoute } from './routes/health.js';
import { modelRoute, modelsRoute } from './routes/models.js';
import { predictRoute } from './routes/predict.js';

export interface RouteMatch {
  readonly label: RouteLabel;
  readonly handler: RouteHandler;
  /** The model named in the path (decoded); empty for routes about no model. */
  readonly modelName: string;
}

const MODELS_PREFIX = '/v1/models/';
const PREDICT_SUFFIX = ':predict';
const FEEDBACK_SUFFIX = '/feedback';

/**
 * The routes, KServe V1 first:
 *   POST /v1/models/<name>:predict     GET /v1/models/<name>     GET /v1/models
 *   POST /v1/models/<name>/feedback    GET /healthz  /readyz  /metrics
 * Throws 404 for any other path and 405 (with Allow) for a known path with another method.
 */
export function matchRoute(method: string | undefined, url: string | undefined): RouteMatch {
  const path = (url ?? '/').split('?', 1)[0];
  switch (path) {
    case '/healthz':
      return only(method, 'GET', { label: 'healthz', handler: healthRoute, modelName: '' });
    case '/readyz':
      return only(method, 'GET', { label: 'readyz', handler: readinessRoute, modelName: '' });
    case '/metrics':
      return only(method, 'GET', { label: 'metrics', handler: metricsRoute, modelName: '' });
    case '/v1/models':
      return only(method, 'GET', { label: 'models', handler: modelsRoute, modelName: '' });
  }
  if (path.startsWith(MODELS_PREFIX)) {
    const rest = path.slice(MODELS_PREFIX.length);
    if (rest.endsWith(PREDICT_SUFFIX)) {
      const modelName = decodeName(rest.slice(0, -PREDICT_SUFFIX.length));
      return only(method, 'POST', { label: 'predict', handler: predictRoute, modelName });
    }
    if (rest.endsWith(FEEDBACK_SUFFIX)) {
      const modelName = decodeName(rest.slice(0, -FEEDBACK_SUFFIX.length));
      return only(method, 'POST', { label: 'feedback', handler: feedbackRoute, modelName });
    }
    if (!rest.includes('/'))
      return only(method, 'GET', { label: 'model', handler: modelRoute, modelName: decodeName(rest) });
  }
  throw new HttpError(
    404,
    'not_found',
    `no route ${method ?? ''} ${path}: the routes are POST /v1/models/<name>:predict, GET /v1/models[/<name>], POST /v1/models/<name>/feedback, GET /healthz, /readyz, /metrics`,
  );
}

function only(method: string | undefined, allowed: 'GET' | 'POST', match: RouteMatch): RouteMatch {
  if (method === allowed || (allowed === 'GET' && method === 'HEAD')) return match;
  throw new HttpError(
    405,
    'method_not_allowed',
    `${match.label === 'predict' ? 'predict' : 'this route'} takes ${allowed}, not ${method}`,
    [],
    {
      allow: allowed === 'GET' ? 'GET, HEAD' : 'POST',
    },
  );
}

function decodeName(encoded: string): string {
  let name: string;
  try {
    name = decodeURIComponent(encoded);
  } catch {
    throw new HttpError(
      400,
      'invalid_request',
      `the model name in the path is not valid URL encoding: ${encoded}`,
    );
  }
  if (name === '' || name.includes('/'))
    throw new HttpError(404, 'model_not_found', 'the path names no model');
  return name;
}
