import { describe, expect, it } from 'vitest';
import { parseLimit, parseModelReference } from '../../cli/options.js';
import { UsageError } from '../../cli/shared.js';

describe('model references on the command line (<name>@<version>)', () => {
  it('reads a name and a version', () => {
    expect(parseModelReference('penguins-species@3', { versionRequired: true })).toEqual({
      name: 'penguins-species',
      version: 3,
    });
  });

  it('accepts v3 for version 3, as the CLI prints versions', () => {
    expect(parseModelReference('flights.sample_v2@v12', { versionRequired: true })).toEqual({
      name: 'flights.sample_v2',
      version: 12,
    });
  });

  it('reads a bare name where the command takes one', () => {
    expect(parseModelReference('penguins-species', { versionRequired: false })).toEqual({
      name: 'penguins-species',
    });
  });

  it('refuses a bare name where a version is required, pointing at the command that lists versions', () => {
    expect(() => parseModelReference('penguins', { versionRequired: true })).toThrow(
      /names no version: expected <name>@<version>.*`mlops models show penguins` lists its versions/,
    );
  });

  it.each([
    ['penguins@latest', 'not "latest"'],
    ['penguins@0', 'not "0"'],
    ['penguins@-1', 'not "-1"'],
    ['penguins@1.5', 'not "1.5"'],
    ['penguins@', 'not ""'],
    ['penguins@3@4', 'not "3@4"'],
  ])('refuses %s as a usage error naming the bad version', (text, problem) => {
    expect(() => parseModelReference(text, { versionRequired: true })).toThrow(UsageError);
    expect(() => parseModelReference(text, { versionRequired: true })).toThrow(
      `the version must be a positive whole number, ${problem}`,
    );
  });

  it.each(['@3', 'bad name@3', '../etc@1', '-leading@1', `${'x'.repeat(64)}@1`])(
    'refuses the model name in %j as a usage error',
    (text) => {
      expect(() => parseModelReference(text, { versionRequired: false })).toThrow(
        /the model name must be 1-63 letters, digits, dots, dashes or underscores/,
      );
    },
  );
});

describe('--limit', () => {
  it('takes a whole number from 1 to 1000', () => {
    expect(parseLimit('1')).toBe(1);
    expect(parseLimit('1000')).toBe(1000);
  });

  it.each(['0', '1001', '-5', '2.5', 'ten', ''])('refuses %j as a usage error', (text) => {
    expect(() => parseLimit(text)).toThrow(UsageError);
  });
});
