import { describe, expect, it } from 'vitest';
import {
  loadModelDocument,
  ModelDocumentError,
  predictRow,
  serializeModelDocument,
  trainModel,
} from '../../ml/model/index.js';
import { takeRows } from '../../ml/frame/index.js';
import { getColumn } from '../../ml/frame/frame.js';
import { loadPenguins, seededRandom } from './models-helpers.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

const penguins = loadPenguins();
const documents = {
  logistic: trainModel({ frame: penguins, target: 'Species', trainer: 'logistic_regression' }),
  boosting: trainModel({
    frame: penguins,
    target: 'Island',
    trainer: 'gradient_boosting',
    params: { nEstimators: 4, maxLeaves: 4, minSamplesLeaf: 10 },
  }),
  linear: trainModel({
    frame: withBodyMass(),
    target: 'Body Mass (g)',
    features: ['Species', 'Sex', 'Flipper Length (mm)'],
    trainer: 'linear_regression',
  }),
};
const probeRows = [
  {
    Species: 'Gentoo',
    Island: 'Biscoe',
    'Beak Length (mm)': 45,
    'Beak Depth (mm)': 15,
    'Flipper Length (mm)': 220,
    'Body Mass (g)': 5000,
    Sex: 'MALE',
  },
  { Species: 'unknown', 'Beak Length (mm)': 1e300, Sex: null },
  {},
];

function withBodyMass() {
  const mass = getColumn(penguins, 'Body Mass (g)');
  const rows = Array.from({ length: penguins.rowCount }, (_, row) => row).filter(
    (row) => mass.kind === 'numeric' && mass.values[row] === mass.values[row],
  );
  return takeRows(penguins, rows);
}

function pathsOf(value: Json, path: Path = [], into: Path[] = []): Path[] {
  into.push(path);
  if (Array.isArray(value)) value.forEach((entry, index) => pathsOf(entry, [...path, index], into));
  else if (value !== null && typeof value === 'object')
    for (const key of Object.keys(value)) pathsOf(value[key], [...path, key], into);
  return into;
}

function parentOf(
  root: Json,
  path: Path,
): { parent: Json[] | Record<string, Json>; key: string | number } | null {
  if (path.length === 0) return null;
  let node = root;
  for (const step of path.slice(0, -1)) node = (node as Record<string | number, Json>)[step];
  return { parent: node as Json[] | Record<string, Json>, key: path[path.length - 1] };
}

/** Sets an own property even for "__proto__" (plain assignment would change the prototype instead). */
function setOwn(target: object, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function deepNesting(depth: number): Json {
  let value: Json = 1;
  for (let level = 0; level < depth; level += 1) value = [value];
  return value;
}

function randomReplacement(random: () => number, original: Json): Json {
  const choices: (() => Json)[] = [
    () => null,
    () => true,
    () => 'NaN',
    () => 'Infinity',
    () => '1e999',
    () => -1,
    () => 0,
    () => 0.5,
    () => 1e308,
    () => -1e308,
    () => 2 ** 53 + 1,
    () => [],
    () => ({}),
    () => 'x'.repeat(20_000),
    () => Array.from({ length: 200_001 }, () => 0),
    () => deepNesting(1000),
    () => JSON.parse('{"__proto__": {"polluted": true}}') as Json,
    () =>
      typeof original === 'number'
        ? String(original)
        : typeof original === 'string'
          ? Number(original.length)
          : [original],
    () =>
      Array.isArray(original) ? original.slice(0, Math.max(0, original.length - 1)) : { value: original },
    () => (Array.isArray(original) ? [...original, ...original] : original),
  ];
  return choices[Math.floor(random() * choices.length)]();
}

/** One random mutation of a deep copy of `document`, in place. */
function mutate(document: Json, random: () => number): Json {
  const copy = JSON.parse(JSON.stringify(document)) as Json;
  const paths = pathsOf(copy);
  const path = paths[Math.floor(random() * paths.length)];
  const place = parentOf(copy, path);
  const kind = random();
  if (place === null) return kind < 0.5 ? [copy] : null;
  const { parent, key } = place;
  const current = (parent as Record<string | number, Json>)[key];
  if (kind < 0.2 && !Array.isArray(parent)) {
    delete (parent as Record<string, Json>)[key as string];
  } else if (kind < 0.3 && !Array.isArray(parent)) {
    const extraKey = ['__proto__', 'constructor', 'prototype', 'extra'][Math.floor(random() * 4)];
    setOwn(parent, extraKey, random() < 0.5 ? { polluted: true } : 1);
  } else if (kind < 0.45 && typeof current === 'number' && Number.isInteger(current)) {
    // Child indices and counts: point backwards (cycles in trees), at themselves, or out of range.
    const index = typeof key === 'number' ? key : 0;
    setOwn(parent, key, [0, index, -2, current + 1, 1e9][Math.floor(random() * 5)]);
  } else {
    setOwn(parent, key, randomReplacement(random, current));
  }
  return copy;
}

function expectOnlyDocumentErrors(candidate: unknown): 'loaded' | 'rejected' {
  try {
    const model = loadModelDocument(candidate);
    for (const row of probeRows) {
      const prediction = predictRow(model, row);
      if (prediction.task === 'regression') expect(Number.isFinite(prediction.value)).toBe(true);
      else expect(Array.from(prediction.probabilities).every(Number.isFinite)).toBe(true);
    }
    return 'loaded';
  } catch (error) {
    if (!(error instanceof ModelDocumentError))
      throw new Error(`expected only ModelDocumentError, got ${String(error)}`, { cause: error });
    expect(error.path.startsWith('$')).toBe(true);
    return 'rejected';
  }
}

describe('loading fuzzed model documents', () => {
  for (const [name, document] of Object.entries(documents)) {
    it(`never throws anything but ModelDocumentError for 300 mutations of a ${name} document`, () => {
      const random = seededRandom(name.length * 7919);
      const outcomes = { loaded: 0, rejected: 0 };
      const base = JSON.parse(serializeModelDocument(document)) as Json;
      for (let trial = 0; trial < 300; trial += 1) {
        const mutated = mutate(base, random);
        // Both as a parsed value and as JSON text, since the loader accepts either.
        outcomes[expectOnlyDocumentErrors(mutated)] += 1;
        const text = JSON.stringify(mutated);
        if (text !== undefined) expectOnlyDocumentErrors(text);
      }
      expect(outcomes.rejected).toBeGreaterThan(150);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  }

  it('rejects texts that are not JSON, and deep nesting, without a stack overflow', () => {
    for (const text of [
      '',
      '{',
      'null',
      '[]',
      '"mlops.model/v1"',
      '['.repeat(100_000) + ']'.repeat(100_000),
      '{"format":"mlops.model/v1","task":NaN}',
    ]) {
      expect(() => loadModelDocument(text)).toThrow(ModelDocumentError);
    }
  });
});
