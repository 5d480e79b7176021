import { describe, expect, it } from 'vitest';
import {
  loadModelDocument,
  ModelDocumentError,
  serializeModelDocument,
  trainModel,
} from '../../ml/model/index.js';
import { loadPenguins } from './models-helpers.js';

const penguins = loadPenguins();
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Step = string | number;
const REMOVE = Symbol('remove');

const valid = JSON.parse(
  serializeModelDocument(
    trainModel({
      frame: penguins,
      target: 'Species',
      features: ['Island', 'Beak Length (mm)'],
      trainer: 'logistic_regression',
    }),
  ),
) as Json;

function at(document: Json, path: readonly Step[]): Json {
  return path.reduce<Json>((node, step) => (node as Record<Step, Json>)[step], document);
}

/** A copy of the valid document with the value at `path` replaced (or removed). */
function variant(path: readonly Step[], value: Json | typeof REMOVE): Json {
  const copy = JSON.parse(JSON.stringify(valid)) as Json;
  const parent = at(copy, path.slice(0, -1)) as Record<Step, Json>;
  const key = path[path.length - 1];
  if (value === REMOVE) delete parent[key];
  else parent[key] = value;
  return copy;
}

const categories = at(valid, ['encoders', 0, 'categories']) as string[];
const lastCoefficients = at(valid, ['learned', 'coefficients', 2]) as number[];

function rejection(source: unknown): ModelDocumentError {
  try {
    loadModelDocument(source);
  } catch (error) {
    if (error instanceof ModelDocumentError) return error;
    throw error;
  }
  throw new Error('the document was accepted');
}

describe('loading model documents', () => {
  it('accepts a valid document, as a value or as JSON text', () => {
    expect(loadModelDocument(valid).classes).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    expect(loadModelDocument(JSON.stringify(valid)).task).toBe('multiclass');
  });

  it.each<[string, Step[], Json | typeof REMOVE, string, RegExp]>([
    [
      'an unknown version',
      ['format'],
      'mlops.model/v2',
      '$.format',
      /version "mlops.model\/v2" is not supported/,
    ],
    ['another format', ['format'], 'onnx', '$.format', /must be "mlops.model\/v1"/],
    ['a missing field', ['encoders'], REMOVE, '$.encoders', /is missing/],
    ['an unknown field', ['extra'], 1, '$.extra', /not a field/],
    ['a wrong type', ['task'], 3, '$.task', /must be one of/],
    ['NaN as a string', ['learned', 'intercepts', 1], 'NaN', '$.learned.intercepts[1]', /finite number/],
    ['a huge number', ['learned', 'coefficients', 0, 0], 1e200, '$.learned.coefficients[0][0]', /at most/],
    ['a zero scale', ['encoders', 1, 'scale'], 0, '$.encoders[1].scale', /at least/],
    [
      'too few coefficients',
      ['learned', 'coefficients', 2],
      lastCoefficients.slice(1),
      '$.learned.coefficients[2]',
      /entries/,
    ],
    [
      'classes out of step with the task',
      ['target', 'classes'],
      ['Adelie', 'Gentoo'],
      '$.target.classes',
      /3 to 10000 entries/,
    ],
    ['a feature name out of step', ['encoders', 0, 'name'], 'Sex', '$.encoders[0].name', /must be "Island"/],
    [
      'a repeated category',
      ['encoders', 0, 'categories'],
      [...categories, categories[0]],
      '$.encoders[0].categories[3]',
      /repeats/,
    ],
    [
      'an unknown parameter',
      ['trainer', 'params', 'learningRate'],
      0.1,
      '$.trainer.params.learningRate',
      /is unknown/,
    ],
    [
      'a parameter out of range',
      ['trainer', 'params', 'maxIterations'],
      0,
      '$.trainer.params.maxIterations',
      /must be in/,
    ],
    [
      'a trainer that cannot make the task',
      ['trainer', 'name'],
      'linear_regression',
      '$.trainer.params.C',
      /is unknown/,
    ],
  ])('rejects %s with a ModelDocumentError naming its path', (_, path, value, errorPath, message) => {
    const error = rejection(variant(path, value));
    expect(error.path).toBe(errorPath);
    expect(error.message).toMatch(message);
  });

  it('refuses prototype-polluting keys, in text and in values', () => {
    const text = `{"__proto__":{"polluted":true},${JSON.stringify(valid).slice(1)}`;
    expect(rejection(text).path).toBe('$.__proto__');
    const nested = JSON.stringify(valid).replace(
      '"params":{',
      '"params":{"constructor":{"prototype":{"polluted":true}},',
    );
    expect(rejection(nested).path).toBe('$.trainer.params.constructor');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('never runs getters or reads inherited members of a value', () => {
    let ran = false;
    const withGetter = JSON.parse(JSON.stringify(valid)) as object;
    Object.defineProperty(withGetter, 'task', { enumerable: true, get: () => ((ran = true), 'multiclass') });
    expect(rejection(withGetter).path).toBe('$.task');
    expect(ran).toBe(false);
    const inherited = Object.assign(
      Object.create({ task: 'multiclass' }) as object,
      variant(['task'], REMOVE),
    );
    expect(rejection(inherited).path).toBe('$');
  });

  it('refuses oversized arrays', () => {
    const error = rejection(
      variant(
        ['features'],
        Array.from({ length: 100_001 }, (_, index) => `f${index}`),
      ),
    );
    expect(error.path).toBe('$.features');
  });
});
