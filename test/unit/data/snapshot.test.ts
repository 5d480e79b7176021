import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetInputError, inferFormat, snapshotDataset } from '../../../data/index.js';
import { makeTempFolder, penguinsPath, querySql, writeFlightsSample } from './data-fixtures.js';

let folder: Awaited<ReturnType<typeof makeTempFolder>>;
beforeAll(async () => {
  folder = await makeTempFolder();
});
afterAll(() => folder.remove());

describe('dataset snapshot (ingest)', () => {
  it('snapshots the penguins JSON with its schema and a profile of every column', async () => {
    const result = await snapshotDataset({
      inputPath: penguinsPath,
      format: 'json',
      outputPath: await folder.file('penguins.parquet'),
    });
    expect(result.rows).toBe(344);
    expect(result.columns.map((column) => column.name)).toEqual([
      'Species',
      'Island',
      'Beak Length (mm)',
      'Beak Depth (mm)',
      'Flipper Length (mm)',
      'Body Mass (g)',
      'Sex',
    ]);
    expect(result.columns.find((column) => column.name === 'Beak Length (mm)')).toEqual({
      name: 'Beak Length (mm)',
      type: 'DOUBLE',
      nullable: true,
    });
    const beak = result.profile.columns.find((column) => column.name === 'Beak Length (mm)');
    expect(beak).toMatchObject({ nulls: 2, min: 32.1, max: 59.6 });
    expect(beak?.mean).toBeCloseTo(43.9219, 3);
    const species = result.profile.columns.find((column) => column.name === 'Species');
    expect(species?.topValues).toEqual([
      { value: 'Adelie', count: 152 },
      { value: 'Gentoo', count: 124 },
      { value: 'Chinstrap', count: 68 },
    ]);
    expect(result.profile.columns.find((column) => column.name === 'Sex')?.nulls).toBe(10);
  });

  it('writes byte-identical Parquet for the same input and query, whatever the thread count', async () => {
    // Over 122,880 rows, so the file has several row groups whose boundaries could differ.
    const json = await folder.file('many.json');
    await querySql(
      `COPY (SELECT range AS id, 'name ' || (range % 977) AS name, range / 7 AS ratio FROM range(250000))
       TO '${json}' (FORMAT json)`,
    );
    const query = 'select id, name, ratio from data where id % 10 <> 3';
    const written = await Promise.all(
      [1, 4].map(async (threads) => {
        const outputPath = await folder.file(`many-${threads}.parquet`);
        await snapshotDataset({ inputPath: json, format: 'json', query, outputPath, threads });
        return readFile(outputPath);
      }),
    );
    expect(written[0].equals(written[1])).toBe(true);
    const sample = await folder.file('flights-sample.parquet');
    await writeFlightsSample(sample);
    const again = await Promise.all(
      ['first', 'second'].map(async (name) => {
        const outputPath = await folder.file(`flights-${name}.parquet`);
        await snapshotDataset({
          inputPath: sample,
          format: 'parquet',
          query: 'select * from data where distance > 500',
          outputPath,
        });
        return readFile(outputPath);
      }),
    );
    expect(again[0].equals(again[1])).toBe(true);
  });

  it('applies the query over the table `data`, quoted column names included, keeping row order', async () => {
    const output = await folder.file('heavy.parquet');
    const result = await snapshotDataset({
      inputPath: penguinsPath,
      format: 'json',
      query:
        'select "Species", "Body Mass (g)" / 1000 as "Body Mass (kg)" from data where "Body Mass (g)" > 5000 -- heavy ones',
      outputPath: output,
    });
    const expected = await querySql(
      `select "Species", "Body Mass (g)" / 1000 as "Body Mass (kg)" from read_json_auto('${penguinsPath}') where "Body Mass (g)" > 5000`,
    );
    expect(result.rows).toBe(expected.length);
    expect(await querySql(`select * from '${output}'`)).toEqual(expected);
  });

  it('reads CSV with a detected header and newline-delimited JSON', async () => {
    const csv = await folder.file('people.csv', 'name,"age, years",score\nann,31,1.5\nbob,,2\n');
    const fromCsv = await snapshotDataset({
      inputPath: csv,
      format: 'csv',
      outputPath: await folder.file('people.parquet'),
    });
    expect(fromCsv.columns).toEqual([
      { name: 'name', type: 'VARCHAR', nullable: false },
      { name: 'age, years', type: 'BIGINT', nullable: true },
      { name: 'score', type: 'DOUBLE', nullable: false },
    ]);
    const ndjson = await folder.file(
      'events.jsonl',
      '{"kind":"a","n":1}\n{"kind":"b","n":2}\n{"kind":"a","n":null}\n',
    );
    const fromJson = await snapshotDataset({
      inputPath: ndjson,
      format: 'json',
      outputPath: await folder.file('events.parquet'),
    });
    expect(fromJson.rows).toBe(3);
    expect(fromJson.profile.columns.find((column) => column.name === 'kind')?.topValues).toEqual([
      { value: 'a', count: 2 },
      { value: 'b', count: 1 },
    ]);
  });

  it('keeps text that appears after the type-detection sample instead of failing', async () => {
    const lines = [
      'n,label',
      ...Array.from({ length: 30_000 }, (_, index) => `${index},x`),
      'not a number,y',
    ];
    const csv = await folder.file('late-text.csv', `${lines.join('\n')}\n`);
    const result = await snapshotDataset({
      inputPath: csv,
      format: 'csv',
      outputPath: await folder.file('late-text.parquet'),
    });
    expect(result.rows).toBe(30_001);
    expect(result.columns[0]).toEqual({ name: 'n', type: 'VARCHAR', nullable: false });
  });

  it('leaves the values of redacted (PII) columns out of the profile', async () => {
    const csv = await folder.file('emails.csv', 'email,n\nann@example.com,1\nbob@example.com,2\n');
    const result = await snapshotDataset({
      inputPath: csv,
      format: 'csv',
      outputPath: await folder.file('emails.parquet'),
      redactedColumns: ['email'],
    });
    expect(result.profile.columns[0]).toEqual({
      name: 'email',
      type: 'VARCHAR',
      nulls: 0,
      distinct: 2,
      redacted: true,
    });
    expect(JSON.stringify(result.profile)).not.toContain('example.com');
  });

  it.each([
    ['an empty file', 'empty.csv', 'csv', '', undefined, /is empty \(0 bytes\)/],
    ['a file of whitespace', 'blank.json', 'json', '  \n\n', undefined, /holds only whitespace/],
    ['a CSV with only a header', 'header.csv', 'csv', 'a,b\n', undefined, /has no data rows/],
    [
      'a CSV whose rows have different field counts',
      'ragged.csv',
      'csv',
      'name,age\nann,3\nbob,4,extra\ncid,5\n',
      undefined,
      /could not parse .* as CSV: no delimiter splits every line/,
    ],
    [
      'malformed JSON',
      'broken.json',
      'json',
      '[{"a": 1}, {"a":',
      undefined,
      /could not read .* as JSON: .*Malformed JSON/,
    ],
    [
      'a query naming a missing column',
      'ok.csv',
      'csv',
      'a,b\n1,2\n',
      'select c from data',
      /dataset\.query failed: Binder Error: Referenced column "c" not found[\s\S]*runs over the table `data`/,
    ],
    [
      'a query with a syntax error',
      'ok.csv',
      'csv',
      'a,b\n1,2\n',
      'selec a from data',
      /dataset\.query failed: Parser Error: syntax error/,
    ],
    [
      'two statements',
      'ok.csv',
      'csv',
      'a,b\n1,2\n',
      'select 1; select 2',
      /holds 2 statements; write exactly one SELECT/,
    ],
    [
      'a statement that is not a SELECT',
      'ok.csv',
      'csv',
      'a,b\n1,2\n',
      'create table t as select 1',
      /must be a SELECT statement/,
    ],
    [
      'a query reading another file',
      'ok.csv',
      'csv',
      'a,b\n1,2\n',
      "select * from read_text('/etc/passwd')",
      /Permission Error/,
    ],
    [
      'a query that keeps no rows',
      'ok.csv',
      'csv',
      'a,b\n1,2\n',
      'select * from data where a > 5',
      /dataset\.query returned no rows \(the file has 1\)/,
    ],
  ] as const)(
    'refuses %s with a clear DatasetInputError',
    async (_case, name, format, content, query, message) => {
      const inputPath = await folder.file(name, content);
      const outputPath = await folder.file(`${name}.parquet`);
      const attempt = snapshotDataset({ inputPath, format, query, outputPath });
      await expect(attempt).rejects.toBeInstanceOf(DatasetInputError);
      await expect(attempt).rejects.toThrow(message);
      await expect(readFile(outputPath)).rejects.toThrow(/ENOENT/);
    },
  );

  it('infers the format from the extension and asks for dataset.format when it cannot', () => {
    expect(inferFormat('data/flights.parquet')).toBe('parquet');
    expect(inferFormat('s3://bucket/path/events.jsonl')).toBe('json');
    expect(inferFormat('https://example.com/a.csv.gz?version=2')).toBe('csv');
    expect(() => inferFormat('data/flights')).toThrow(/set dataset\.format to csv, json or parquet/);
    expect(() => inferFormat('data/model.constructor')).toThrow(DatasetInputError);
  });
});
