import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSpec, parseSpecText, SpecError } from '../../spec/parse.js';
import { MAX_SPEC_BYTES } from '../../spec/limits.js';
import { searchCandidates } from '../../workflows/tuning.js';
import { runMlopsOffline } from '../support/processes.js';

/**
 * Hostile and absurd specs: each is refused before anything runs, with the problem's path, or
 * (where it is valid) costs what it says rather than what it could. A spec is the platform's
 * widest input: it reaches workflow histories, PostgreSQL rows and SQL text.
 */
const base = {
  name: 'attack',
  dataset: { uri: './penguins.csv' },
  target: 'species',
  train: { trainer: 'gradient_boosting' },
};

function problemsOf(document: unknown): string[] {
  try {
    parseSpec(document, 'attack.yaml');
  } catch (error) {
    if (error instanceof SpecError)
      return error.problems.map((problem) => `${problem.path}: ${problem.message}`);
    throw error;
  }
  return [];
}

describe('specs with control characters', () => {
  it.each([
    ['dataset.uri', { ...base, dataset: { uri: './x\u0000.csv' } }],
    ['target', { ...base, target: 'a\u0000b' }],
    ['features[1]', { ...base, features: ['island', 'bill\u001b[31m'] }],
    ['dataset.query', { ...base, dataset: { uri: './p.csv', query: 'SELECT 1\u0000' } }],
    ['name', { ...base, name: 'a\nb' }],
  ])('refuses one in %s, naming where it is', (where, document) => {
    const problems = problemsOf(document);
    expect(problems.some((problem) => problem.startsWith(`${where}: contains the control character`))).toBe(
      true,
    );
  });

  it('refuses one in a key (a column name under validation.columns)', () => {
    const problems = problemsOf({ ...base, validation: { columns: { 'mass\u0000': { min: 0 } } } });
    expect(problems).toContainEqual(
      expect.stringMatching(/^validation\.columns\..*the key contains the control character U\+0000 \(NUL\)/),
    );
  });

  it('lets a query span lines with tabs', () => {
    const query = 'SELECT *\n\tFROM data\r\nWHERE 1 = 1';
    expect(problemsOf({ ...base, dataset: { uri: './p.csv', query } })).toEqual([]);
  });
});

describe('specs too large to carry', () => {
  it('refuses a spec text past the limit before parsing it', () => {
    const allowed = Array.from({ length: 40_000 }, (_, index) => `"value-${index}"`).join(', ');
    const text = `name: big\ndataset: { uri: ./p.csv }\ntarget: y\ntrain: { trainer: gradient_boosting }\nvalidation: { columns: { y: { allowed: [${allowed}] } } }\n`;
    expect(Buffer.byteLength(text)).toBeGreaterThan(MAX_SPEC_BYTES);
    expect(() => parseSpecText(text, 'big.yaml')).toThrow(/a spec may have at most 262,144/);
  });

  it('refuses a YAML alias bomb with a parse error, not a blown heap', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let level = 1; level < 9; level += 1) {
      const previous = String.fromCharCode(96 + level);
      const name = String.fromCharCode(97 + level);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`);
    }
    const started = performance.now();
    expect(() => parseSpecText(`${levels.join('\n')}\nname: bomb\n`, 'bomb.yaml')).toThrow(
      /not valid YAML: .*alias/i,
    );
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe('search grids and hyperparameters', () => {
  it('samples a 10^10 grid with maxTrials lazily (the workflow never builds it)', () => {
    const search = Object.fromEntries(
      Array.from({ length: 10 }, (_, index) => [
        `p${index}`,
        Array.from({ length: 10 }, (_, value) => value),
      ]),
    );
    const train = { params: {}, search, searchStrategy: 'grid', maxTrials: 5 } as never;
    const started = performance.now();
    const candidates = searchCandidates(train, 42);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(candidates).toHaveLength(5);
    expect(new Set(candidates.map((candidate) => JSON.stringify(candidate))).size).toBe(5);
    expect(searchCandidates(train, 42)).toEqual(candidates);
  });

  it('refuses a grid past the trials a run may have unless maxTrials samples it', () => {
    const train = { ...base.train, trainer: 'command', command: ['python3', 'train.py'] };
    const search = Object.fromEntries(
      Array.from({ length: 4 }, (_, index) => [`p${index}`, Array.from({ length: 10 }, (_, value) => value)]),
    );
    expect(problemsOf({ ...base, train: { ...train, search } })).toEqual([
      'train.search: spans 10,000 combinations, more than the 1000 trials a run may have; set train.maxTrials to try a seeded sample of them, or search fewer values',
    ]);
    expect(problemsOf({ ...base, train: { ...train, search, maxTrials: 20 } })).toEqual([]);
    const huge = Object.fromEntries(
      Array.from({ length: 20 }, (_, index) => [
        `p${index}`,
        Array.from({ length: 10 }, (_, value) => value),
      ]),
    );
    expect(problemsOf({ ...base, train: { ...train, search: huge, maxTrials: 20 } })[0]).toMatch(
      /^train\.search: spans more than 9,007,199,254,740,991 combinations/,
    );
    expect(problemsOf({ ...base, train: { ...train, search, maxTrials: 1_000_000 } })[0]).toMatch(
      /^train\.maxTrials: /,
    );
  });

  it('checks built-in trainer parameters when the spec is read, every searched value too', () => {
    const problems = problemsOf({
      ...base,
      train: {
        trainer: 'gradient_boosting',
        params: { nEstimators: 1e9, maxDepth: 1000, leaves: 8, threads: 0 },
        search: { learningRate: [0.1, -1], nTrees: [1, 2, 3] },
      },
    });
    expect(problems).toEqual([
      'train.params.nEstimators: must be in [1, 100000], got 1000000000',
      'train.params.maxDepth: must be in [1, 64], got 1000',
      expect.stringMatching(
        /^train\.params\.leaves: is unknown to gradient_boosting; known parameters: .*maxLeaves/,
      ),
      'train.params.threads: must be an integer from 1 to 64, got 0',
      'train.search.learningRate[1]: must be in (0, 10], got -1',
      expect.stringMatching(/^train\.search\.nTrees\[0\]: is unknown to gradient_boosting/),
    ]);
    expect(
      problemsOf({ ...base, train: { trainer: 'logistic_regression', params: { C: 1, l2: 0.1 } } }),
    ).toEqual(['train.params: logistic_regression takes l2 or C (l2 = 1 / (C * rows)), not both']);
  });
});

describe('mlops run with a hostile spec', () => {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'mlops-attack-specs-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  /** Against services that do not exist: only a run that starts nothing can pass. */
  const run = (name: string, text: string) => {
    const file = path.join(folder, name);
    writeFileSync(file, text);
    return runMlopsOffline(['run', file, '--wait']);
  };

  it('exits 2 on a NUL byte in a JSON spec, naming the field', () => {
    const result = run(
      'nul.json',
      JSON.stringify({ ...base, dataset: { uri: './x\u0000.csv' }, target: 'a\u0000b' }),
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/dataset\.uri: contains the control character U\+0000 \(NUL\)/);
    expect(result.stderr).toMatch(/target: contains the control character U\+0000/);
    expect(result.stderr).toMatch(/Nothing was started/);
  });

  it('exits 2 on a spec past the size limit, saying why', () => {
    const padding = `# ${'x'.repeat(1024)}\n`.repeat(300);
    const result = run(
      'huge.yaml',
      `${padding}name: huge\ndataset: { uri: ./p.csv }\ntarget: y\ntrain: { trainer: gradient_boosting }\n`,
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/a spec may have at most 262,144 .*travels in the run's history/);
  });
});
