import type { InputField } from '../ml/model/index.js';
import { HttpError, invalidInput, MAX_PROBLEMS, type InputProblem } from './http-errors.js';
import { describeInputs, notAnInput } from './input-validator.js';
import type { ScoredInstances, ServedVersion } from './served-version.js';

/**
 * The Open Inference Protocol (KServe V2) over JSON: requests and answers as named tensors
 * (https://kserve.github.io/website/latest/modelserving/data_plane/v2_protocol/). Each model input
 * is one tensor of shape [N] (or [N, 1]) holding that input for N instances; the answer is a tensor
 * per output. Pure translation: the rows built here go through the same checks, scoring and
 * logging as V1's instances (answer-predictions.ts).
 */

const FLOATS = ['FP16', 'FP32', 'FP64'] as const;
const SIGNED = ['INT8', 'INT16', 'INT32', 'INT64'] as const;
const UNSIGNED = ['UINT8', 'UINT16', 'UINT32', 'UINT64'] as const;
export const TENSOR_DATATYPES = ['BOOL', ...UNSIGNED, ...SIGNED, ...FLOATS, 'BYTES'] as const;
export type TensorDatatype = (typeof TENSOR_DATATYPES)[number];

/** The outputs an answer can carry, in the order they are sent. */
export const OUTPUT_NAMES = ['predictions', 'probabilities', 'prediction_ids', 'imputed'] as const;
export type OutputName = (typeof OUTPUT_NAMES)[number];

export interface MetadataTensor {
  readonly name: string;
  readonly datatype: TensorDatatype;
  readonly shape: readonly number[];
}

export interface OutputTensor extends MetadataTensor {
  readonly data: readonly unknown[];
  readonly parameters?: Readonly<Record<string, string | number | boolean>>;
}

/** The datatype an input is described with (and the ones it takes). */
export function inputDatatypes(field: InputField, hashed: boolean): readonly TensorDatatype[] {
  if (hashed) return ['BYTES'];
  switch (field.type) {
    case 'number':
      return ['FP64', 'FP32', 'FP16', ...SIGNED, ...UNSIGNED];
    case 'string':
      return ['BYTES'];
    case 'boolean':
      return ['BOOL'];
    case 'timestamp':
      // An ISO 8601 string, or epoch milliseconds.
      return ['BYTES', 'INT64'];
  }
}

/** A version's inputs and outputs as model metadata lists them (`GET /v2/models/<name>`). */
export function tensorMetadata(version: ServedVersion): {
  inputs: MetadataTensor[];
  outputs: MetadataTensor[];
} {
  const hashed = new Set(version.pii.hashed);
  return {
    inputs: version.inputs.map((field) => ({
      name: field.name,
      datatype: inputDatatypes(field, hashed.has(field.name))[0],
      shape: [-1],
    })),
    outputs: outputNames(version).map((name) => ({
      name,
      datatype: outputDatatype(version, name),
      shape: name === 'probabilities' ? [-1, version.classes?.length ?? 0] : [-1],
    })),
  };
}

function outputNames(version: ServedVersion): OutputName[] {
  return OUTPUT_NAMES.filter((name) => name !== 'probabilities' || version.classes !== null);
}

function outputDatatype(version: ServedVersion, name: OutputName): TensorDatatype {
  if (name === 'probabilities') return 'FP64';
  if (name === 'predictions') return version.classes === null ? 'FP64' : 'BYTES';
  return 'BYTES';
}

/** The parts of an inference request read before a version is chosen. */
export interface InferEnvelope {
  readonly id: string | undefined;
  /** `parameters.request_key` (canary stickiness), unless the X-Request-Key header is sent. */
  readonly requestKey: string | undefined;
  readonly inputs: readonly unknown[];
  /** The outputs asked for; undefined: all of them. */
  readonly outputs: readonly string[] | undefined;
}

const REQUEST_FIELDS: ReadonlySet<string> = new Set(['id', 'parameters', 'inputs', 'outputs']);
const TENSOR_FIELDS: ReadonlySet<string> = new Set(['name', 'shape', 'datatype', 'parameters', 'data']);

/**
 * `{"id"?, "parameters"?, "inputs": [...], "outputs"?: [{"name"}]}`. Parameters this server does
 * not act on are refused rather than ignored, except the binary extension's `binary_data_output`
 * and `binary_data` (what tritonclient sends unless told otherwise): the answer is JSON either
 * way. Binary input tensors (a body with an Inference-Header-Content-Length) are refused.
 */
export function parseInferEnvelope(body: unknown): InferEnvelope {
  const fields = objectOrThrow(
    body,
    'the body',
    'such as {"inputs": [{"name": "x", "shape": [1], "datatype": "FP64", "data": [1.5]}]}',
  );
  const unknown = Object.keys(fields).filter((key) => !REQUEST_FIELDS.has(key));
  if (unknown.length > 0)
    throw badRequest(
      `${unknown.map((key) => JSON.stringify(key)).join(', ')} is not a field of an inference request (it takes id, parameters, inputs, outputs)`,
    );
  if (fields.id !== undefined && typeof fields.id !== 'string') throw badRequest('"id" must be a string');
  const parameters = parametersOf(fields.parameters, 'the request', ['request_key', 'binary_data_output']);
  const requestKey = parameters.request_key;
  if (requestKey !== undefined && (typeof requestKey !== 'string' || requestKey === ''))
    throw badRequest('parameters.request_key must be a non-empty string');
  if (!Array.isArray(fields.inputs) || fields.inputs.length === 0)
    throw badRequest('"inputs" must be a non-empty array of tensors, one per model input');
  let outputs: string[] | undefined;
  if (fields.outputs !== undefined) {
    if (!Array.isArray(fields.outputs)) throw badRequest('"outputs" must be an array of {"name": ...}');
    outputs = fields.outputs.map((output, index) => {
      const item = objectOrThrow(output, `outputs[${index}]`, 'such as {"name": "predictions"}');
      const extra = Object.keys(item).filter((key) => key !== 'name' && key !== 'parameters');
      if (extra.length > 0)
        throw badRequest(`outputs[${index}] takes name and parameters, not ${extra.join(', ')}`);
      parametersOf(item.parameters, `outputs[${index}]`, ['binary_data']);
      if (typeof item.name !== 'string') throw badRequest(`outputs[${index}].name must be a string`);
      return item.name;
    });
  }
  return { id: fields.id, requestKey: requestKey as string | undefined, inputs: fields.inputs, outputs };
}

/**
 * The request's tensors as one record per instance, for the version's validator: a tensor's
 * element i is instance i's value of that input, a null element or an absent tensor is missing.
 * Problems with the tensors themselves (names, datatypes, shapes, element kinds) are reported all
 * at once, each naming its tensor.
 */
export function instancesFromTensors(
  tensors: readonly unknown[],
  version: ServedVersion,
  maxInstances: number,
): Record<string, unknown>[] {
  const fields = new Map(version.inputs.map((field) => [field.name, field]));
  const hashed = new Set(version.pii.hashed);
  const dropped = new Set(version.pii.dropped);
  const problems: InputProblem[] = [];
  const columns: { name: string; values: unknown[] }[] = [];
  let rows: number | undefined;
  tensors.forEach((tensor, index) => {
    if (problems.length >= MAX_PROBLEMS) return;
    const where = `inputs[${index}]`;
    if (tensor === null || typeof tensor !== 'object' || Array.isArray(tensor)) {
      problems.push({
        field: where,
        problem: 'must be a tensor object {"name", "shape", "datatype", "data"}',
      });
      return;
    }
    const record = tensor as Record<string, unknown>;
    const name = typeof record.name === 'string' ? record.name : where;
    const fail = (problem: string) => problems.push({ field: name, problem });
    const extra = Object.keys(record).filter((key) => !TENSOR_FIELDS.has(key));
    if (extra.length > 0)
      return fail(`${extra.join(', ')} is not a tensor field (name, shape, datatype, parameters, data)`);
    if (typeof record.name !== 'string') return fail('"name" must be a string, the input it holds');
    const field = fields.get(name);
    if (!field) return fail(notAnInput(dropped.has(name), describeInputs(version.inputs)));
    if (columns.some((column) => column.name === name)) return fail('is sent twice');
    try {
      parametersOf(record.parameters, `input ${JSON.stringify(name)}`, ['binary_data']);
    } catch (error) {
      return fail((error as Error).message);
    }
    const accepted = inputDatatypes(field, hashed.has(name));
    if (typeof record.datatype !== 'string' || !accepted.includes(record.datatype as TensorDatatype))
      return fail(
        `datatype ${JSON.stringify(record.datatype)} does not fit a ${hashed.has(name) ? 'personal-data (hashed)' : field.type} input: use ${accepted.join(', ')}`,
      );
    const shape = record.shape;
    if (
      !Array.isArray(shape) ||
      !shape.every((size) => Number.isInteger(size) && (size as number) >= 0) ||
      shape.length < 1 ||
      shape.length > 2 ||
      (shape.length === 2 && shape[1] !== 1)
    )
      return fail(`shape must be [N] or [N, 1] for N instances, not ${JSON.stringify(shape)}`);
    const count = shape[0] as number;
    if (!Array.isArray(record.data)) return fail('"data" must be an array of the tensor\'s elements');
    const data = (record.data as unknown[]).flat(1);
    if (data.length !== count)
      return fail(`shape ${JSON.stringify(shape)} says ${count} elements, data has ${data.length}`);
    if (rows !== undefined && count !== rows)
      return fail(
        `has ${count} elements, the inputs before it ${rows}: every input holds one value per instance`,
      );
    rows = count;
    const kindProblem = elementProblem(record.datatype as TensorDatatype, data, hashed.has(name));
    if (kindProblem) return fail(kindProblem);
    columns.push({ name, values: data });
  });
  if (problems.length > 0) throw invalidInput(problems.slice(0, MAX_PROBLEMS), 'instance', 'invalid_input');
  if (!rows)
    throw badRequest('the inputs hold no instances: send at least one (shape [N] with N of 1 or more)');
  if (rows > maxInstances)
    throw new HttpError(
      413,
      'too_many_instances',
      `the inputs hold ${rows} instances, more than ${maxInstances} (MLOPS_MAX_INSTANCES): split the request`,
    );
  return Array.from({ length: rows }, (_, row) => {
    const instance: Record<string, unknown> = {};
    for (const column of columns) instance[column.name] = column.values[row];
    return instance;
  });
}

/** The first element that is not of the tensor's datatype (null is missing, judged by the validator). */
function elementProblem(
  datatype: TensorDatatype,
  data: readonly unknown[],
  personal: boolean,
): string | undefined {
  const at = data.findIndex((value) => value !== null && !fits(datatype, value));
  if (at < 0) return undefined;
  const value = data[at];
  // Personal data is never quoted back.
  const shown = personal
    ? 'value not shown'
    : typeof value === 'string'
      ? JSON.stringify(value.slice(0, 40))
      : (JSON.stringify(value) ?? typeof value);
  return `element ${at} (${shown}) is not a ${datatype} value`;
}

function fits(datatype: TensorDatatype, value: unknown): boolean {
  if (datatype === 'BYTES') return typeof value === 'string';
  if (datatype === 'BOOL') return typeof value === 'boolean';
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  if ((FLOATS as readonly string[]).includes(datatype)) return true;
  return Number.isSafeInteger(value) && ((SIGNED as readonly string[]).includes(datatype) || value >= 0);
}

/** The outputs a request asked for (all without a list), in OUTPUT_NAMES order; checked before anything is scored. */
export function requestedOutputs(version: ServedVersion, asked: readonly string[] | undefined): OutputName[] {
  const available = outputNames(version);
  const unknown = (asked ?? []).filter((name) => !available.includes(name as OutputName));
  if (unknown.length > 0)
    throw badRequest(
      `${unknown.map((name) => JSON.stringify(name)).join(', ')} is not an output of this model (outputs: ${available.join(', ')})`,
    );
  return asked ? available.filter((name) => asked.includes(name)) : available;
}

/** The answer's tensors, one per requested output. */
export function outputTensors(
  version: ServedVersion,
  names: readonly OutputName[],
  answered: {
    readonly scored: ScoredInstances;
    readonly predictionIds: readonly string[];
    readonly imputed: readonly (readonly string[])[];
  },
): OutputTensor[] {
  const rows = answered.predictionIds.length;
  return names.map((name): OutputTensor => {
    const datatype = outputDatatype(version, name);
    switch (name) {
      case 'predictions':
        return { name, datatype, shape: [rows], data: answered.scored.predictions };
      case 'probabilities': {
        const classes = version.classes ?? [];
        return {
          name,
          datatype,
          shape: [rows, classes.length],
          data: (answered.scored.probabilities ?? []).flatMap((row) => classes.map((label) => row[label])),
          // Which column is which class: the tensor's columns follow this order.
          parameters: { classes: JSON.stringify(classes) },
        };
      }
      case 'prediction_ids':
        return { name, datatype, shape: [rows], data: answered.predictionIds };
      case 'imputed':
        // Per instance, the JSON list of the inputs it left out that the model imputed.
        return {
          name,
          datatype,
          shape: [rows],
          data: answered.imputed.map((fields) => JSON.stringify(fields)),
        };
    }
  });
}

function parametersOf(value: unknown, where: string, known: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  const parameters = objectOrThrow(value, `parameters of ${where}`, '{"name": value}');
  for (const [key, setting] of Object.entries(parameters)) {
    if (key === 'binary_data_output' || key === 'binary_data') {
      // Triton's binary tensor extension, asked for by tritonclient by default: answers are JSON
      // tensors all the same, which its clients read as well (they look for the binary header).
      if (typeof setting !== 'boolean') throw badRequest(`${where}: ${key} must be true or false`);
    } else if (!known.includes(key)) {
      throw badRequest(
        `${where}: parameter ${JSON.stringify(key)} is not one this server acts on (${known.join(', ')})`,
      );
    }
  }
  return parameters;
}

function objectOrThrow(value: unknown, what: string, example: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw badRequest(`${what} must be a JSON object ${example}`);
  return value as Record<string, unknown>;
}

function badRequest(message: string): HttpError {
  return new HttpError(400, 'invalid_request', message);
}
