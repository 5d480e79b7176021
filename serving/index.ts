/** The prediction server: KServe V1 REST over node:http, with auth, validation, canary routing and prediction logging. */
export { createServingServer, type ServingServer, type ServingServerOptions } from './server.js';
export { defaultServingSettings, servingSettings, type ServingSettings } from './settings.js';
export { describeProblem, HttpError, type ErrorCode, type InputProblem } from './http-errors.js';
export { REQUEST_KEY_HEADER } from './predict-request.js';
export { chooseVersion, stickyFraction, type RoutingTable, type ServedModel } from './routing-table.js';
