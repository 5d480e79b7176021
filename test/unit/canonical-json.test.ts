import { describe, expect, it } from 'vitest';
import { stageCacheKey } from '../../activities/stage-cache.js';
import { canonicalJson } from '../../contracts/canonical-json.js';

describe('canonical JSON', () => {
  it('writes equal values as equal bytes, whatever order their keys were built in', () => {
    expect(canonicalJson({ b: [1, 'two', null, true], a: { d: undefined, c: -0.5e-7 } })).toBe(
      '{"a":{"c":-5e-8},"b":[1,"two",null,true]}',
    );
    expect(canonicalJson({ z: 1, a: 2 })).toBe(canonicalJson({ a: 2, z: 1 }));
    expect(canonicalJson(Float64Array.from([0.1, 2]))).toBe('[0.1,2]');
    expect(() => canonicalJson({ loss: Number.NaN })).toThrow(/non-finite number NaN/);
  });

  it('keeps the stage cache keys of earlier runs: the same key as before it was shared with model documents', () => {
    // Computed by the stage cache's own canonical JSON before the two were one implementation.
    expect(
      stageCacheKey({
        kind: 'train',
        codeVersion: 'abc1234',
        params: {
          trainer: 'gradient_boosting',
          params: { learningRate: 0.1, maxDepth: 6, nested: { b: [1, 'two', null, true], a: -0.5e-7 } },
          seed: 42,
          target: 'Species',
          task: 'multiclass',
          features: ['Island', 'Beak Length (mm)'],
          exclude: [],
          skipped: undefined,
          unicode: 'É café',
        },
        inputs: ['0f3a', 'b7c9'],
      }),
    ).toBe('7fff3a383e81d68e916bc900264113e5f022be44a06636dc026bc13d64cb5ab8');
  });
});
