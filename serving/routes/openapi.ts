import type { RouteHandler } from '../context.js';
import { openApiDocument } from '../openapi.js';

/** `GET /openapi.json` (scope predict: it lists the served models and their inputs). */
export const openApiRoute: RouteHandler = (context, request) => {
  context.auth.authorize(request.headers.authorization, 'predict');
  return { status: 200, body: openApiDocument(context.models.current, context.settings) };
};
