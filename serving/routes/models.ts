import type { RouteHandler, ServingContext } from '../context.js';
import { HttpError } from '../http-errors.js';
import type { ServedModel } from '../routing-table.js';

/** `GET /v1/models/<name>`: one served model (KServe V1's name and ready, plus versions and inputs). */
export const modelRoute: RouteHandler = (context, request, labels, modelName) => {
  context.auth.authorize(request.headers.authorization, 'predict');
  const served = servedModelOrNotFound(context, modelName);
  labels.model = served.name;
  return { status: 200, body: describeModel(served) };
};

/**
 * `GET /v1/models`: the names of the served models, as KServe V1 lists them
 * (`{"models": ["<name>", ...]}`); with `?details=true`, each model as `GET /v1/models/<name>`
 * describes it.
 */
export const modelsRoute: RouteHandler = (context, request) => {
  context.auth.authorize(request.headers.authorization, 'predict');
  const served = [...context.models.current.values()];
  const details = new URL(request.url ?? '/', 'http://serving').searchParams.get('details');
  if (details !== null && details !== 'true' && details !== 'false')
    throw new HttpError(
      400,
      'invalid_request',
      `details must be true or false, not ${JSON.stringify(details)}`,
    );
  return {
    status: 200,
    body: { models: details === 'true' ? served.map(describeModel) : served.map((model) => model.name) },
  };
};

export function servedModelOrNotFound(context: ServingContext, modelName: string): ServedModel {
  const served = context.models.current.get(modelName);
  if (served) return served;
  const names = [...context.models.current.keys()];
  throw new HttpError(
    404,
    'model_not_found',
    `no model named ${JSON.stringify(modelName)} is served here (served: ${names.length > 0 ? names.join(', ') : 'none'}); a model is served once it has a champion`,
  );
}

export function describeModel(model: ServedModel) {
  const champion = model.champion;
  return {
    name: model.name,
    ready: champion !== null,
    version: champion?.version ?? null,
    versions: {
      champion: champion ? { version: champion.version } : null,
      challenger: model.challenger
        ? { version: model.challenger.version, share: model.challengerShare }
        : null,
    },
    task: champion?.task ?? null,
    classes: champion?.classes ?? null,
    inputs:
      champion?.inputs.map((input) => ({
        name: input.name,
        type: input.type,
        // Those the spec's serving.allowMissing lists may be left out (the model imputes them).
        required: !champion.allowMissing.includes(input.name),
        // Sent raw; the server hashes it as training did.
        ...(champion.pii.hashed.includes(input.name) ? { pii: 'hashed' } : {}),
      })) ?? [],
    ...(model.loadError ? { loadError: model.loadError } : {}),
  };
}
