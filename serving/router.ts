import type { RouteHandler } from './context.js';
import { HttpError } from './http-errors.js';
import type { RouteLabel } from './metrics.js';
import { feedbackRoute } from './routes/feedback.js';
import { healthRoute, metricsRoute, readinessRoute } from './routes/health.js';
import { modelRoute, modelsRoute } from './routes/models.js';
import { openApiRoute } from './routes/openapi.js';
import { predictRoute } from './routes/predict.js';
import {
  v2InferRoute,
  v2LiveRoute,
  v2ModelReadyRoute,
  v2ModelRoute,
  v2ReadyRoute,
  v2ServerRoute,
} from './routes/v2.js';

/** Which protocol a path belongs to: it decides the shape of its error answers. */
export type Protocol = 'v1' | 'v2';

export interface RouteMatch {
  readonly label: RouteLabel;
  readonly handler: RouteHandler;
  readonly method: 'GET' | 'POST';
  readonly protocol: Protocol;
  /** The model named in the path (decoded); empty for routes about no model. */
  readonly modelName: string;
  /** The version named in the path (Open Inference Protocol's `/versions/<v>`), if any. */
  readonly version?: string;
}

const V1_MODELS = '/v1/models/';
const V2_MODELS = '/v2/models/';
const PREDICT_SUFFIX = ':predict';
const FEEDBACK_SUFFIX = '/feedback';
const ROUTES =
  'POST /v1/models/<name>:predict, GET /v1/models[/<name>], POST /v1/models/<name>/feedback, GET /v2, /v2/health/live, /v2/health/ready, GET /v2/models/<name>[/versions/<v>][/ready], POST /v2/models/<name>[/versions/<v>]/infer, GET /openapi.json, /healthz, /readyz, /metrics';

/** The protocol of a path, for requests that match no route (their 404 is in that protocol's shape). */
export function protocolOf(url: string | undefined): Protocol {
  return (url ?? '/').startsWith('/v2') ? 'v2' : 'v1';
}

/**
 * The route of a path: KServe V1 (`/v1/...`), the Open Inference Protocol (`/v2/...`), health,
 * metrics and the OpenAPI document. Throws 404 for any other path; the method is checked by
 * checkMethod once the route is known, so a 405 is counted under its route.
 */
export function matchRoute(url: string | undefined): RouteMatch {
  const path = (url ?? '/').split('?', 1)[0];
  const plain = (label: RouteLabel, handler: RouteHandler, protocol: Protocol = 'v1'): RouteMatch => ({
    label,
    handler,
    method: 'GET',
    protocol,
    modelName: '',
  });
  switch (path) {
    case '/healthz':
      return plain('healthz', healthRoute);
    case '/readyz':
      return plain('readyz', readinessRoute);
    case '/metrics':
      return plain('metrics', metricsRoute);
    case '/openapi.json':
      return plain('openapi', openApiRoute);
    case '/v1/models':
      return plain('models', modelsRoute);
    case '/v2':
      return plain('v2_server', v2ServerRoute, 'v2');
    case '/v2/health/live':
      return plain('v2_live', v2LiveRoute, 'v2');
    case '/v2/health/ready':
      return plain('v2_ready', v2ReadyRoute, 'v2');
  }
  if (path.startsWith(V1_MODELS)) {
    const rest = path.slice(V1_MODELS.length);
    const v1 = (label: RouteLabel, handler: RouteHandler, method: 'GET' | 'POST', encoded: string) => ({
      label,
      handler,
      method,
      protocol: 'v1' as const,
      modelName: decodeName(encoded),
    });
    if (rest.endsWith(PREDICT_SUFFIX))
      return v1('predict', predictRoute, 'POST', rest.slice(0, -PREDICT_SUFFIX.length));
    if (rest.endsWith(FEEDBACK_SUFFIX))
      return v1('feedback', feedbackRoute, 'POST', rest.slice(0, -FEEDBACK_SUFFIX.length));
    if (!rest.includes('/')) return v1('model', modelRoute, 'GET', rest);
  }
  if (path.startsWith(V2_MODELS)) {
    const match = matchV2Model(path.slice(V2_MODELS.length).split('/'));
    if (match) return match;
  }
  throw new HttpError(404, 'not_found', `no route ${path}: the routes are ${ROUTES}`);
}

/** `<name>[/versions/<v>][/ready|/infer]` under /v2/models/. */
function matchV2Model(segments: string[]): RouteMatch | undefined {
  const [encodedName, ...rest] = segments;
  let version: string | undefined;
  if (rest[0] === 'versions') {
    if (rest.length < 2 || rest[1] === '') return undefined;
    version = decodeSegment(rest[1], 'model version');
    rest.splice(0, 2);
  }
  if (rest.length > 1) return undefined;
  const action = rest[0];
  const route = (label: RouteLabel, handler: RouteHandler, method: 'GET' | 'POST'): RouteMatch => ({
    label,
    handler,
    method,
    protocol: 'v2',
    modelName: decodeName(encodedName),
    ...(version !== undefined ? { version } : {}),
  });
  if (action === undefined) return route('v2_model', v2ModelRoute, 'GET');
  if (action === 'ready') return route('v2_model_ready', v2ModelReadyRoute, 'GET');
  if (action === 'infer') return route('v2_infer', v2InferRoute, 'POST');
  return undefined;
}

/** 405 (with Allow) for a known route asked with another method; HEAD is fine wherever GET is. */
export function checkMethod(match: RouteMatch, method: string | undefined): void {
  if (method === match.method || (match.method === 'GET' && method === 'HEAD')) return;
  throw new HttpError(
    405,
    'method_not_allowed',
    `${match.label === 'predict' ? 'predict' : 'this route'} takes ${match.method}, not ${method}`,
    [],
    { allow: match.method === 'GET' ? 'GET, HEAD' : 'POST' },
  );
}

function decodeName(encoded: string): string {
  const name = decodeSegment(encoded, 'model name');
  if (name === '' || name.includes('/'))
    throw new HttpError(404, 'model_not_found', 'the path names no model');
  return name;
}

function decodeSegment(encoded: string, what: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw new HttpError(
      400,
      'invalid_request',
      `the ${what} in the path is not valid URL encoding: ${encoded}`,
    );
  }
}
