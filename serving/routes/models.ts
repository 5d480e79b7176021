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

/** `GET /v1/models`: every served model. */
export const modelsRoute: RouteHandler = (context, request) => {
  context.auth.authorize(request.headers.authorization, 'predict');
  return { status: 200, body: { models: [...context.models.current.values()].map(describeModel) } };
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
        required: !input.missingInTraining,
        // Sent raw; the server hashes it as training did.
        ...(champion.pii.hashed.includes(input.name) ? { pii: 'hashed' } : {}),
      })) ?? [],
    ...(model.loadError ? { loadError: model.loadError } : {}),
  };
}
