import { HttpError, invalidInput } from './http-errors.js';

/** The body of `POST /v1/models/<name>:predict`, its structure checked (the instances are checked per model). */
export interface PredictRequest {
  readonly instances: readonly unknown[];
  /** Routes the request to the same version every time (canary stickiness); logged with each prediction. */
  readonly requestKey: string | undefined;
}

export const REQUEST_KEY_HEADER = 'x-request-key';
const MAX_REQUEST_KEY_LENGTH = 200;
/** The fields of a predict body (also what /openapi.json documents). */
export const PREDICT_BODY_FIELDS = ['instances', 'inputs', 'requestKey'] as const;
const BODY_FIELDS: ReadonlySet<string> = new Set(PREDICT_BODY_FIELDS);

/**
 * KServe V1: `{"instances": [{...}, ...]}` or, as KServe also takes it, `{"inputs": [{...}, ...]}`
 * (one of the two), plus an optional top-level `requestKey`. The `X-Request-Key` header, when
 * sent, takes precedence over the body's `requestKey`.
 */
export function parsePredictRequest(
  body: unknown,
  headerKey: string | string[] | undefined,
  maxInstances: number,
): PredictRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(
      400,
      'invalid_request',
      'the body must be a JSON object such as {"instances": [{"feature": 1.5}]}',
    );
  }
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((key) => !BODY_FIELDS.has(key));
  if (unknown.length > 0) {
    throw invalidInput(
      unknown.map((key) => ({
        field: key,
        problem:
          'is not a field of a predict request (it takes "instances" or "inputs" and, optionally, "requestKey")',
      })),
      'instance',
      'invalid_request',
    );
  }
  if (fields.instances !== undefined && fields.inputs !== undefined) {
    throw new HttpError(400, 'invalid_request', 'send the instances as "instances" or as "inputs", not both');
  }
  const name = fields.inputs !== undefined ? 'inputs' : 'instances';
  const instances = fields[name];
  if (!Array.isArray(instances)) {
    throw new HttpError(
      400,
      'invalid_request',
      `"${name}" must be an array of objects, not ${instances === undefined ? 'absent' : typeof instances}`,
    );
  }
  if (instances.length === 0) {
    throw new HttpError(400, 'invalid_request', `"${name}" is empty: send at least one instance`);
  }
  if (instances.length > maxInstances) {
    throw new HttpError(
      413,
      'too_many_instances',
      `"${name}" has ${instances.length} items, more than ${maxInstances} (MLOPS_MAX_INSTANCES): split the request`,
    );
  }
  return { instances, requestKey: requestKeyOf(headerKey, fields.requestKey) };
}

function requestKeyOf(header: string | string[] | undefined, bodyKey: unknown): string | undefined {
  const headerValue = Array.isArray(header) ? header[0] : header;
  if (headerValue !== undefined && headerValue !== '')
    return checkedKey(headerValue, 'the X-Request-Key header');
  if (bodyKey === undefined || bodyKey === null) return undefined;
  if (typeof bodyKey !== 'string' || bodyKey === '') {
    throw new HttpError(400, 'invalid_request', '"requestKey" must be a non-empty string');
  }
  return checkedKey(bodyKey, '"requestKey"');
}

function checkedKey(key: string, where: string): string {
  if (key.length > MAX_REQUEST_KEY_LENGTH) {
    throw new HttpError(
      400,
      'invalid_request',
      `${where} is longer than ${MAX_REQUEST_KEY_LENGTH} characters`,
    );
  }
  return key;
}
