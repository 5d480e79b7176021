import { platformVersion } from '../config/platform-version.js';
import { instanceJsonSchema } from './input-validator.js';
import { inputDatatypes, OUTPUT_NAMES, TENSOR_DATATYPES } from './open-inference.js';
import { PREDICT_BODY_FIELDS } from './predict-request.js';
import type { RoutingTable } from './routing-table.js';
import { inputRulesOf } from './served-version.js';
import type { ServingSettings } from './settings.js';

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Schema) => ({ content: { 'application/json': { schema } } });
const BEARER = [{ bearer: [] }];

const v1Errors = {
  400: {
    description: 'the request is malformed or an instance is invalid (every problem listed)',
    ...json(ref('Error')),
  },
  401: { description: 'no valid token', ...json(ref('Error')) },
  403: { description: "the token lacks the route's scope", ...json(ref('Error')) },
  404: { description: 'no such model served here', ...json(ref('Error')) },
  413: { description: 'the body or the number of instances is over the limit', ...json(ref('Error')) },
  503: { description: 'the model is not loaded yet, or the server is overloaded', ...json(ref('Error')) },
};
const v2Errors = Object.fromEntries(
  Object.entries(v1Errors).map(([status, answer]) => [status, { ...answer, ...json(ref('V2Error')) }]),
);

/**
 * The OpenAPI 3.1 document of the serving API (`GET /openapi.json`), built from what the server
 * checks: each served model's instance schema comes from its champion's input rules through
 * instanceJsonSchema (the rules compileInstanceValidator applies), the predict body's fields and
 * limits from predict-request.ts and the settings, the tensors' datatypes from open-inference.ts.
 */
export function openApiDocument(table: RoutingTable, settings: ServingSettings): Schema {
  const schemas: Record<string, Schema> = { ...COMMON_SCHEMAS };
  const paths: Record<string, Schema> = { ...COMMON_PATHS };
  for (const model of table.values()) {
    const version = model.champion;
    if (!version) continue;
    const name = model.name;
    const rules = inputRulesOf(version);
    const instances: Schema = {
      type: 'array',
      items: ref(`${name}.instance`),
      minItems: 1,
      maxItems: settings.maxInstances,
    };
    schemas[`${name}.instance`] = {
      ...instanceJsonSchema(rules),
      description: `one instance for ${name} v${version.version} (the champion)`,
    };
    const [instancesField, inputsField, requestKeyField] = PREDICT_BODY_FIELDS;
    schemas[`${name}.predictRequest`] = {
      type: 'object',
      properties: {
        [instancesField]: instances,
        [inputsField]: instances,
        [requestKeyField]: { type: 'string', minLength: 1, maxLength: 200 },
      },
      oneOf: [{ required: [instancesField] }, { required: [inputsField] }],
      additionalProperties: false,
    };
    schemas[`${name}.predictResponse`] = predictResponseSchema(version.classes);
    const hashed = new Set(version.pii.hashed);
    schemas[`${name}.inferRequest`] = {
      type: 'object',
      required: ['inputs'],
      additionalProperties: false,
      properties: {
        id: { type: 'string' },
        parameters: ref('V2RequestParameters'),
        inputs: {
          type: 'array',
          minItems: 1,
          items: {
            anyOf: version.inputs.map((field) => ({
              ...ref('V2InputTensor'),
              properties: {
                name: { const: field.name },
                datatype: { enum: inputDatatypes(field, hashed.has(field.name)) },
              },
            })),
          },
        },
        outputs: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name'],
            properties: {
              name: { enum: OUTPUT_NAMES.filter((one) => one !== 'probabilities' || version.classes) },
            },
          },
        },
      },
    };
    const encoded = encodeURIComponent(name);
    paths[`/v1/models/${encoded}:predict`] = {
      post: {
        summary: `Predict with ${name} (KServe V1)`,
        security: BEARER,
        parameters: [REQUEST_KEY_PARAMETER],
        requestBody: { required: true, ...json(ref(`${name}.predictRequest`)) },
        responses: {
          200: { description: 'one answer per instance, in order', ...json(ref(`${name}.predictResponse`)) },
          ...v1Errors,
        },
      },
    };
    paths[`/v2/models/${encoded}/infer`] = {
      post: {
        summary: `Infer with ${name} (Open Inference Protocol)`,
        security: BEARER,
        parameters: [REQUEST_KEY_PARAMETER],
        requestBody: { required: true, ...json(ref(`${name}.inferRequest`)) },
        responses: {
          200: { description: 'the output tensors', ...json(ref('V2InferResponse')) },
          ...v2Errors,
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'mlops prediction server',
      version: platformVersion(),
      description:
        'KServe V1 and the Open Inference Protocol (V2) for the models served here; see serving/README.md.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } }, schemas },
    paths,
  };
}

function predictResponseSchema(classes: readonly string[] | null): Schema {
  const perInstance = (items: Schema): Schema => ({ type: 'array', items });
  return {
    type: 'object',
    required: ['predictions', 'predictionIds', 'imputed', 'model', 'version'],
    properties: {
      predictions: perInstance(classes ? { enum: [...classes] } : { type: 'number' }),
      ...(classes
        ? {
            probabilities: perInstance({
              type: 'object',
              properties: Object.fromEntries(classes.map((label) => [label, { type: 'number' }])),
            }),
          }
        : {}),
      predictionIds: perInstance({ type: 'string', format: 'uuid' }),
      imputed: perInstance({
        type: 'array',
        items: { type: 'string' },
        description: 'inputs left out, imputed by the model',
      }),
      model: { type: 'string' },
      version: { type: 'integer' },
    },
  };
}

const REQUEST_KEY_PARAMETER = {
  name: 'X-Request-Key',
  in: 'header',
  required: false,
  description:
    'routes every request with this key to the same version during a canary; logged with each prediction',
  schema: { type: 'string', maxLength: 200 },
};

const COMMON_SCHEMAS: Record<string, Schema> = {
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { type: 'string' },
          message: { type: 'string' },
          problems: {
            type: 'array',
            items: {
              type: 'object',
              required: ['problem'],
              properties: {
                index: { type: 'integer' },
                field: { type: 'string' },
                problem: { type: 'string' },
              },
            },
          },
        },
      },
    },
  },
  V2Error: { type: 'object', required: ['error'], properties: { error: { type: 'string' } } },
  V2RequestParameters: {
    type: 'object',
    additionalProperties: false,
    properties: { request_key: { type: 'string', minLength: 1 }, binary_data_output: { type: 'boolean' } },
  },
  V2InputTensor: {
    type: 'object',
    required: ['name', 'shape', 'datatype', 'data'],
    properties: {
      name: { type: 'string' },
      shape: { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 1, maxItems: 2 },
      datatype: { enum: [...TENSOR_DATATYPES] },
      parameters: {
        type: 'object',
        properties: { binary_data: { type: 'boolean' } },
        additionalProperties: false,
      },
      data: { type: 'array' },
    },
  },
  V2InferResponse: {
    type: 'object',
    required: ['model_name', 'outputs'],
    properties: {
      model_name: { type: 'string' },
      model_version: { type: 'string' },
      id: { type: 'string' },
      outputs: {
        type: 'array',
        items: {
          type: 'object',
          required: ['name', 'datatype', 'shape', 'data'],
          properties: {
            name: { enum: [...OUTPUT_NAMES] },
            datatype: { enum: [...TENSOR_DATATYPES] },
            shape: { type: 'array', items: { type: 'integer' } },
            data: { type: 'array' },
            parameters: { type: 'object' },
          },
        },
      },
    },
  },
  Feedback: {
    type: 'object',
    required: ['feedback'],
    additionalProperties: false,
    properties: {
      feedback: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          required: ['predictionId', 'label'],
          additionalProperties: false,
          properties: {
            predictionId: { type: 'string', format: 'uuid' },
            label: { type: ['string', 'number'] },
          },
        },
      },
    },
  },
};

const modelParameter = { name: 'name', in: 'path', required: true, schema: { type: 'string' } };
const versionParameter = { name: 'version', in: 'path', required: true, schema: { type: 'string' } };
const answer = (description: string) => ({ 200: { description, ...json({ type: 'object' }) } });

const COMMON_PATHS: Record<string, Schema> = {
  '/v1/models': {
    get: {
      summary: "The served models' names; with details=true, each described",
      security: BEARER,
      parameters: [{ name: 'details', in: 'query', required: false, schema: { type: 'boolean' } }],
      responses: answer('{"models": [...]}'),
    },
  },
  '/v1/models/{name}': {
    get: {
      summary: 'One served model: readiness, versions, inputs',
      security: BEARER,
      parameters: [modelParameter],
      responses: { ...answer('the model'), ...v1Errors },
    },
  },
  '/v1/models/{name}/feedback': {
    post: {
      summary: 'Ground-truth labels for earlier predictions (scope feedback)',
      security: BEARER,
      parameters: [modelParameter],
      requestBody: { required: true, ...json(ref('Feedback')) },
      responses: { ...answer('stored and unknown ids'), ...v1Errors },
    },
  },
  '/v2': { get: { summary: 'Server metadata', responses: answer('name, version, extensions') } },
  '/v2/health/live': { get: { summary: 'The process answers', responses: answer('{"live": true}') } },
  '/v2/health/ready': {
    get: {
      summary: 'Ready: database answers, models loaded (503 otherwise)',
      responses: answer('{"ready": true}'),
    },
  },
  '/v2/models/{name}': {
    get: {
      summary: 'Model metadata: versions, platform, typed inputs and outputs',
      security: BEARER,
      parameters: [modelParameter],
      responses: { ...answer('metadata'), ...v2Errors },
    },
  },
  '/v2/models/{name}/versions/{version}': {
    get: {
      summary: "A served version's metadata",
      security: BEARER,
      parameters: [modelParameter, versionParameter],
      responses: { ...answer('metadata'), ...v2Errors },
    },
  },
  '/v2/models/{name}/ready': {
    get: {
      summary: 'The model is loaded',
      security: BEARER,
      parameters: [modelParameter],
      responses: { ...answer('ready'), ...v2Errors },
    },
  },
  '/v2/models/{name}/versions/{version}/infer': {
    post: {
      summary: "Infer with a served version (the champion, or a canary's challenger)",
      security: BEARER,
      parameters: [modelParameter, versionParameter],
      requestBody: { required: true, ...json({ type: 'object' }) },
      responses: { 200: { description: 'the output tensors', ...json(ref('V2InferResponse')) }, ...v2Errors },
    },
  },
  '/healthz': { get: { summary: 'Liveness', responses: answer('{"status": "ok"}') } },
  '/readyz': { get: { summary: 'Readiness (503 until ready)', responses: answer('{"ready": true, ...}') } },
  '/metrics': {
    get: {
      summary: 'Prometheus text exposition',
      responses: {
        200: { description: 'metrics', content: { 'text/plain': { schema: { type: 'string' } } } },
      },
    },
  },
  '/openapi.json': { get: { summary: 'This document', responses: answer('OpenAPI 3.1') } },
};
