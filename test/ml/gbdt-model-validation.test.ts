import { describe, expect, it } from 'vitest';
import { ModelDocumentError } from '../../ml/model/errors.js';
import {
  fitGradientBoosting,
  predictGradientBoostingRow,
  validateGradientBoostingModel,
  type GradientBoostingModel,
} from '../../ml/gbdt/index.js';
import { SeededRandom } from '../../ml/gbdt/random.js';
import { binaryParams, mixedBinaryData } from './gbdt-data.js';

const model = fitGradientBoosting(mixedBinaryData(600, 31), binaryParams({ nEstimators: 4, maxLeaves: 6 }));
const json = JSON.stringify(model);

type Json = Record<string, unknown> & { trees: Record<string, unknown[]>[] };

function mutated(change: (document: Json) => void): unknown {
  const document = JSON.parse(json) as Json;
  change(document);
  return document;
}

function rejection(value: unknown): ModelDocumentError {
  try {
    validateGradientBoostingModel(value, '$.learned');
  } catch (error) {
    expect(error).toBeInstanceOf(ModelDocumentError);
    return error as ModelDocumentError;
  }
  throw new Error('the document was accepted');
}

/** First internal node of tree 0 whose children are both leaves. */
const splitNode = model.trees[0].feature.findIndex((feature) => feature >= 0);

describe('gradient boosting model validation', () => {
  it('accepts a stored model and returns an equal copy', () => {
    const loaded = validateGradientBoostingModel(JSON.parse(json), '$');
    expect(loaded).toEqual(model);
    expect(JSON.stringify(loaded)).toBe(json);
  });

  it.each([
    ['a cycle back to the root', (d: Json) => (d.trees[0].left[splitNode] = 0), /\.trees\[0\]\.left\[\d+\]/],
    ['a self loop', (d: Json) => (d.trees[0].right[splitNode] = splitNode), /\.right\[/],
    ['a child index past the end', (d: Json) => (d.trees[0].left[splitNode] = 999), /\.left\[/],
    [
      'a shared child',
      (d: Json) => (d.trees[0].right[splitNode] = d.trees[0].left[splitNode]),
      /already has a parent/,
    ],
    ['a NaN threshold', (d: Json) => (d.trees[0].threshold[0] = NaN), /threshold\[0\]/],
    ['an infinite leaf value', (d: Json) => (d.trees[0].value[1] = Infinity), /value\[1\]/],
    ['a threshold given as a string', (d: Json) => (d.trees[0].threshold[0] = '0.5'), /finite number/],
    ['a feature index out of range', (d: Json) => (d.trees[0].feature[0] = 4), /feature\[0\]/],
    ['a missing field', (d: Json) => delete d.baseScores, /\$\.learned\.baseScores: is missing/],
    ['an unknown format', (d: Json) => (d.format = 'other'), /\.format/],
    ['trees that do not match bestIteration', (d: Json) => (d.bestIteration = 9), /bestIteration|trees/],
    ['node arrays of different lengths', (d: Json) => d.trees[1].gain.pop(), /trees\[1\]\.gain/],
    ['a leaf with a child', (d: Json) => (d.trees[0].left[d.trees[0].feature.indexOf(-1)] = 1), /\.left\[/],
    [
      'an unreachable node',
      (d: Json) => d.trees[0].feature.forEach((_, i, f) => i > 0 && (f[i] = -1)),
      /left|right|reachable/,
    ],
    [
      'a wrong params type',
      (d: Json) => ((d.params as Record<string, unknown>).learningRate = '0.1'),
      /learningRate/,
    ],
    [
      'an unusable params value',
      (d: Json) => ((d.params as Record<string, unknown>).maxBins = 1000),
      /maxBins/,
    ],
    [
      'seen categories outside the dictionary',
      (d: Json) => ((d.features as Record<string, unknown>[])[1].seenCategories = [0, 8]),
      /features\[1\]\.seenCategories\[1\]/,
    ],
    ['a tree that is not an object', (d: Json) => ((d.trees as unknown[])[2] = 7), /trees\[2\]/],
    ['too many base scores', (d: Json) => (d.baseScores as number[]).push(0), /baseScores/],
  ])('rejects %s with ModelDocumentError naming the path', (_, change, path) => {
    expect(rejection(mutated(change)).message).toMatch(path);
  });

  it('rejects categorical splits with codes out of range, unsorted or duplicated', () => {
    const categoricalNode = model.trees.flatMap((tree, treeIndex) =>
      tree.leftCategories.flatMap((codes, node) => (codes ? [[treeIndex, node]] : [])),
    )[0];
    expect(categoricalNode).toBeDefined();
    const [treeIndex, node] = categoricalNode;
    for (const codes of [[8], [-1], [2, 1], [1, 1], [0.5], 'all']) {
      const document = mutated((d) => (d.trees[treeIndex].leftCategories[node] = codes));
      expect(rejection(document).message).toMatch(/leftCategories/);
    }
  });

  it('rejects values that are not JSON at all', () => {
    for (const value of [null, undefined, 42, 'model', [], () => 1]) rejection(value);
    const hostile = Object.defineProperty(JSON.parse(json), 'trees', {
      get() {
        throw new TypeError('boom');
      },
    });
    expect(rejection(hostile).message).toMatch(/could not be read/);
  });

  it('survives hundreds of random mutations with either a valid model or ModelDocumentError', () => {
    const random = new SeededRandom(77);
    const replacements = [null, -1, 0, 1, 2, 1e308, -0.5, 'x', true, [], {}, [0, 1], NaN, 1e9];
    let accepted = 0;
    for (let attempt = 0; attempt < 400; attempt++) {
      const document = JSON.parse(json) as unknown;
      for (let edit = 0; edit < 1 + random.nextInt(3); edit++)
        mutateSomewhere(document, random, replacements);
      let loaded: GradientBoostingModel;
      try {
        loaded = validateGradientBoostingModel(document, '$');
      } catch (error) {
        expect(error).toBeInstanceOf(ModelDocumentError);
        continue;
      }
      accepted++;
      const out = new Float64Array(1);
      predictGradientBoostingRow(loaded, [1, 2, 0.5, 1], out);
      expect(Number.isNaN(out[0])).toBe(false);
    }
    expect(accepted).toBeLessThan(400);
  });
});

/** Replaces one value somewhere in the document (walking down from the root at random). */
function mutateSomewhere(document: unknown, random: SeededRandom, replacements: unknown[]): void {
  let container = document as Record<string, unknown>;
  for (let depth = 0; depth < 6; depth++) {
    const keys = Object.keys(container);
    if (keys.length === 0) return;
    const key = keys[random.nextInt(keys.length)];
    const child = container[key];
    if (child !== null && typeof child === 'object' && random.nextFloat() < 0.75) {
      container = child as Record<string, unknown>;
      continue;
    }
    if (Array.isArray(container) && random.nextFloat() < 0.2) container.pop();
    else container[key] = replacements[random.nextInt(replacements.length)];
    return;
  }
}
