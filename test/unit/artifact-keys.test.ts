import { describe, expect, it } from 'vitest';
import { artifactKeys } from '../../storage/artifact-store.js';
import { assertSafeArtifactKey, keySegment, UnsafeArtifactKeyError } from '../../storage/keys.js';

describe('artifact keys', () => {
  it.each([
    'datasets/penguins/0f3a9c.parquet',
    'models/flights-delay/3/model.json',
    'reports/penguins_species/12/report.html',
    'scratch/partition=2001-01/part-0.parquet',
  ])('accepts the platform-built key %s', (key) => {
    expect(assertSafeArtifactKey(key)).toBe(key);
  });

  it.each([
    ['../etc/passwd', /path traversal/],
    ['datasets/../../secrets', /path traversal/],
    ['datasets/./x', /path traversal/],
    ['/absolute/key', /starts with \//],
    ['datasets\\..\\windows', /backslash/],
    ['datasets/%2e%2e%2fsecrets', /percent-encoding \(decodes to/],
    ['%2e%2e/x', /path traversal in percent-encoding/],
    ['datasets/%252e%252e%252fsecrets', /percent-encoding \(decodes to/],
    ['datasets/%25252e%25252e%25252fx', /path traversal in percent-encoding/],
    ['datasets/x%00.parquet', /percent-encoding/],
    ['datasets/x\u0000.parquet', /NUL or control character/],
    ['datasets/x\n.parquet', /NUL or control character/],
    ['datasets/x\u001b[31m.parquet', /NUL or control character/],
    ['datasets//x', /empty segment/],
    ['datasets/x/', /empty segment/],
    ['', /empty/],
    ['datasets/x?y=1', /characters outside/],
    ['datasets/%zz', /malformed percent-encoding/],
    ['a'.repeat(1025), /longer than 1024 bytes/],
  ])('refuses %j', (key, reason) => {
    expect(() => assertSafeArtifactKey(key)).toThrow(UnsafeArtifactKeyError);
    expect(() => assertSafeArtifactKey(key)).toThrow(reason);
  });

  it('turns any name into a readable, safe key segment', () => {
    expect(keySegment('Penguins species (v2)')).toBe('Penguins-species-v2');
    expect(keySegment('../../etc')).toBe('etc');
    expect(() => keySegment('../..')).toThrow(/no letters or digits/);
  });

  it('builds every prefix the platform stores under from names that cannot escape it', () => {
    const builders = Object.entries(artifactKeys);
    expect(builders.map(([name]) => name).sort()).toEqual([
      'checkpoint',
      'dataset',
      'evaluation',
      'modelFile',
      'report',
      'split',
      'trainerCode',
      'trainerLog',
      'trainingCurve',
      'validationReport',
    ]);
    for (const [name, build] of builders) {
      const prefix = (build as (name: string, version: number) => string)('../../etc/passwd', 3);
      expect(assertSafeArtifactKey(`${prefix}/0f3a.json`), name).toMatch(/^[a-z]+\/etc-passwd(\/|$)/);
    }
    expect(artifactKeys.modelFile('penguins-species')).toBe('models/penguins-species/files');
  });
});
