import { performance } from 'node:perf_hooks';
import { platformVersion } from '../../config/platform-version.js';
import { answerPredictions, modelNotReady } from '../answer-predictions.js';
import type { RouteHandler, ServingContext } from '../context.js';
import { HttpError } from '../http-errors.js';
import {
  instancesFromTensors,
  outputTensors,
  parseInferEnvelope,
  requestedOutputs,
  tensorMetadata,
} from '../open-inference.js';
import { REQUEST_KEY_HEADER } from '../predict-request.js';
import { readJsonBody } from '../request-body.js';
import { chooseVersion, type ServedModel } from '../routing-table.js';
import type { ServedVersion } from '../served-version.js';
import { servedModelOrNotFound } from './models.js';
import { readinessRoute } from './health.js';

/**
 * The Open Inference Protocol (KServe V2) routes, with V1's token scopes, validation, prediction
 * log, canary routing and metrics (tensors translated in open-inference.ts).
 */

// Triton's binary tensor extension: the body is a JSON header followed by raw tensor bytes.
const BINARY_HEADER = 'inference-header-content-length';

/** `GET /v2`: server metadata (no token). */
export const v2ServerRoute: RouteHandler = () => ({
  status: 200,
  body: { name: 'mlops', version: platformVersion(), extensions: [] },
});

/** `GET /v2/health/live` (no token): the process answers. */
export const v2LiveRoute: RouteHandler = () => ({ status: 200, body: { live: true } });

/** `GET /v2/health/ready` (no token): as /readyz, 200 or 503. */
export const v2ReadyRoute: RouteHandler = readinessRoute;

/** `GET /v2/models/<name>[/versions/<v>]`: name, served versions, platform, typed inputs and outputs. */
export const v2ModelRoute: RouteHandler = (context, request, labels, modelName, pathVersion) => {
  const { served, version } = modelAndVersion(context, request.headers.authorization, modelName, pathVersion);
  labels.model = served.name;
  labels.version = String(version.version);
  return {
    status: 200,
    body: {
      name: served.name,
      versions: servedVersions(served).map((one) => String(one.version)),
      platform: version.kind === 'onnx' ? 'onnxruntime_onnx' : 'mlops',
      ...tensorMetadata(version),
    },
  };
};

/** `GET /v2/models/<name>[/versions/<v>]/ready`: 200 once loaded (503 while not, as KServe answers). */
export const v2ModelReadyRoute: RouteHandler = (context, request, labels, modelName, pathVersion) => {
  const { served, version } = modelAndVersion(context, request.headers.authorization, modelName, pathVersion);
  labels.model = served.name;
  labels.version = String(version.version);
  return { status: 200, body: { name: served.name, ready: true } };
};

/** `POST /v2/models/<name>[/versions/<v>]/infer`: a version named in the path answers, else the canary split chooses. */
export const v2InferRoute: RouteHandler = async (context, request, labels, modelName, pathVersion) => {
  const started = performance.now();
  context.auth.authorize(request.headers.authorization, 'predict');
  const served = servedModelOrNotFound(context, modelName);
  labels.model = served.name;
  if (request.headers[BINARY_HEADER] !== undefined)
    throw new HttpError(
      400,
      'invalid_request',
      'binary tensors (Inference-Header-Content-Length) are not taken here: send JSON tensors (tritonclient: set_data_from_numpy(..., binary_data=False))',
    );
  const envelope = parseInferEnvelope(await readJsonBody(request, context.settings.maxBodyBytes));
  const header = request.headers[REQUEST_KEY_HEADER];
  const requestKey = (Array.isArray(header) ? header[0] : header) || envelope.requestKey;
  const version =
    pathVersion !== undefined
      ? namedVersion(served, pathVersion)
      : (chooseVersion(served, requestKey) ?? modelNotReady(served));
  labels.version = String(version.version);
  const instances = instancesFromTensors(envelope.inputs, version, context.settings.maxInstances);
  const outputs = requestedOutputs(version, envelope.outputs);
  const answered = await answerPredictions(context, served, labels, {
    instances,
    requestKey,
    pinned: version,
    started,
  });
  return {
    status: 200,
    body: {
      model_name: served.name,
      model_version: String(version.version),
      ...(envelope.id !== undefined ? { id: envelope.id } : {}),
      outputs: outputTensors(version, outputs, answered),
    },
  };
};

function modelAndVersion(
  context: ServingContext,
  authorization: string | undefined,
  modelName: string,
  pathVersion: string | undefined,
): { served: ServedModel; version: ServedVersion } {
  context.auth.authorize(authorization, 'predict');
  const served = servedModelOrNotFound(context, modelName);
  if (pathVersion !== undefined) return { served, version: namedVersion(served, pathVersion) };
  return { served, version: served.champion ?? modelNotReady(served) };
}

function servedVersions(served: ServedModel): ServedVersion[] {
  return [served.champion, served.challenger].filter((one): one is ServedVersion => one !== null);
}

/** The served version a path names: the champion or the challenger in a canary, nothing else. */
function namedVersion(served: ServedModel, named: string): ServedVersion {
  const found = servedVersions(served).find((one) => String(one.version) === named);
  if (found) return found;
  const list = servedVersions(served)
    .map((one) => `${one.version} (${one === served.champion ? 'champion' : 'challenger'})`)
    .join(', ');
  throw new HttpError(
    404,
    'model_not_found',
    `version ${JSON.stringify(named)} of ${served.name} is not served here (served: ${list || 'none yet'}); a version is served while it is the champion or a canary's challenger`,
  );
}
