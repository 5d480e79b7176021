import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetInputError, snapshotDataset } from '../../data/index.js';

/**
 * `dataset.query` is user SQL by design: it runs in a DuckDB that may read the dataset file and
 * write its snapshot, nothing else. Each query here must fail with a DatasetInputError, write
 * nothing, and leave the dataset itself readable.
 */
describe('the DuckDB sandbox of dataset.query', () => {
  let folder: string;
  let inputPath: string;
  beforeAll(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'mlops-sandbox-'));
    inputPath = path.join(folder, 'data.csv');
    await writeFile(inputPath, 'a,b\n1,x\n2,y\n');
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  const snapshot = (query: string, name: string) =>
    snapshotDataset({ inputPath, format: 'csv', query, outputPath: path.join(folder, `${name}.parquet`) });

  it.each([
    ['read_csv of /etc/passwd', "select * from read_csv('/etc/passwd')", /Permission Error/],
    ['read_text', "select * from read_text('/etc/passwd')", /Permission Error/],
    ['read_blob of /proc', "select * from read_blob('/proc/self/environ')", /Permission Error/],
    ['glob', "select * from glob('/*')", /Permission Error|glob/],
    [
      'a remote file',
      "select * from read_csv('http://169.254.169.254/latest/meta-data')",
      /Permission Error|disabled/,
    ],
    ['COPY ... TO', "copy data to '/tmp/mlops-sandbox-escape.csv'", /Permission Error|must be a SELECT/],
    ['INSTALL', 'install httpfs', /must be a SELECT statement/],
    ['LOAD', 'load httpfs', /must be a SELECT statement/],
    ['ATTACH', "attach '/tmp/mlops-sandbox.db' as other", /must be a SELECT statement/],
    ['SET', "set allowed_paths = ['/']", /must be a SELECT statement/],
    ['PRAGMA', 'pragma version', /must be a SELECT statement/],
    ['several statements', 'select * from data; select 1', /holds 2 statements/],
    ['a statement hidden after a comment', 'select * from data; -- x\ndrop view data', /holds 2 statements/],
    [
      'duckdb_settings()',
      'select name, value from duckdb_settings()',
      /calls duckdb_settings, which describe the worker/,
    ],
    ['current_setting', "select current_setting('allowed_paths') as p from data", /calls current_setting/],
    [
      'a catalog function in a subquery',
      'select * from data where a in (select 1 from duckdb_tables())',
      /calls duckdb_tables/,
    ],
  ])('refuses %s', async (_what, query, message) => {
    const name = query.replace(/\W+/g, '-').slice(0, 40);
    const attempt = snapshot(query, name);
    await expect(attempt).rejects.toBeInstanceOf(DatasetInputError);
    await expect(attempt).rejects.toThrow(message);
    await expect(readFile(path.join(folder, `${name}.parquet`))).rejects.toThrow(/ENOENT/);
  });

  it('still reads the dataset itself, with functions that are not introspection', async () => {
    const result = await snapshot('select a, upper(b) as b, current_date as d from data', 'ok');
    expect(result.rows).toBe(2);
    expect(result.columns.map((column) => column.name)).toEqual(['a', 'b', 'd']);
  });
});
