import { mkdir, realpath, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetInputError, resolveLocalDataPath } from '../../../data/index.js';
import { makeTempFolder } from './data-fixtures.js';

let folder: Awaited<ReturnType<typeof makeTempFolder>>;
let workingDirectory: string;
let dataRoot: string;
let outside: string;

beforeAll(async () => {
  folder = await makeTempFolder();
  const base = await realpath(folder.path);
  workingDirectory = join(base, 'project');
  dataRoot = join(base, 'shared data');
  outside = join(base, 'elsewhere');
  for (const path of [join(workingDirectory, 'data'), dataRoot, outside])
    await mkdir(path, { recursive: true });
  await folder.file('project/data/penguins.json', '[]');
  await folder.file('shared data/flights.parquet', 'x');
  await folder.file('elsewhere/secret.csv', 'a\n1\n');
  await symlink(join(outside, 'secret.csv'), join(workingDirectory, 'data', 'link-out.csv'));
  await symlink(join(dataRoot, 'flights.parquet'), join(workingDirectory, 'data', 'link-in.parquet'));
});
afterAll(() => folder.remove());

const resolvePath = (uri: string) =>
  resolveLocalDataPath(uri, { workingDirectory, allowedRoots: [dataRoot], stateFolders: [] });

describe('local dataset paths', () => {
  it('accepts paths under the working directory and the allowed roots, as plain paths or file:// URIs', async () => {
    expect(await resolvePath('data/penguins.json')).toBe(join(workingDirectory, 'data', 'penguins.json'));
    expect(await resolvePath('./data/../data/penguins.json')).toBe(
      join(workingDirectory, 'data', 'penguins.json'),
    );
    expect(await resolvePath(join(dataRoot, 'flights.parquet'))).toBe(join(dataRoot, 'flights.parquet'));
    expect(await resolvePath(pathToFileURL(join(dataRoot, 'flights.parquet')).href)).toBe(
      join(dataRoot, 'flights.parquet'),
    );
    expect(await resolvePath('data/link-in.parquet')).toBe(join(dataRoot, 'flights.parquet'));
  });

  it.each([
    ['a ../ escape', () => '../elsewhere/secret.csv'],
    ['an absolute path outside the roots', () => join(outside, 'secret.csv')],
    ['a symlink inside pointing outside', () => 'data/link-out.csv'],
    ['a file:// URI outside the roots', () => pathToFileURL(join(outside, 'secret.csv')).href],
    ['a missing file outside the roots', () => join(outside, 'missing.csv')],
  ])('refuses %s, naming the allowed roots and MLOPS_DATA_ROOTS', async (_case, uri) => {
    const attempt = resolvePath(uri());
    await expect(attempt).rejects.toBeInstanceOf(DatasetInputError);
    await expect(attempt).rejects.toThrow(/outside the folders datasets may be read from/);
    await expect(attempt).rejects.toThrow(workingDirectory);
    await expect(attempt).rejects.toThrow(dataRoot);
    await expect(attempt).rejects.toThrow(/MLOPS_DATA_ROOTS/);
  });

  it('refuses a missing file, a folder and remote URIs with clear messages', async () => {
    await expect(resolvePath('data/missing.csv')).rejects.toThrow(
      /"data\/missing.csv" does not exist \(looked for .*missing.csv\)/,
    );
    await expect(resolvePath('data')).rejects.toThrow(/is not a file/);
    await expect(resolvePath('s3://bucket/data.parquet')).rejects.toThrow(
      /is not a local path \(scheme s3:\)/,
    );
  });
});
