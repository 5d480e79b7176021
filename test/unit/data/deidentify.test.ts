import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetInputError, deidentifyDataset, snapshotDataset } from '../../../data/index.js';
import { makeTempFolder, querySql } from './data-fixtures.js';

let folder: Awaited<ReturnType<typeof makeTempFolder>>;
beforeAll(async () => {
  folder = await makeTempFolder();
});
afterAll(() => folder.remove());

const key = Buffer.from('a test key of thirty-two bytes!!');
const hmac = (text: string, secret: Uint8Array = key) =>
  createHmac('sha256', secret).update(text, 'utf8').digest('hex');

const people = [
  { email: 'ann.lee@example.com', name: 'Ann Lee', phone: '+1 555 0100', age: 34, score: 0.5 },
  { email: 'bob@example.org', name: 'Bøb Ünïcødé 🐧', phone: '555-0101', age: 41, score: 1 },
  { email: '', name: 'back\\slash \\x41 and \'quote\' "double"', phone: null, age: null, score: 2.25 },
  { email: 'x'.repeat(500) + '@long.example', name: '中文名字', phone: '555-0102', age: 7, score: -1 },
  { email: null, name: 'No Mail', phone: '555-0103', age: 29, score: 3 },
];

async function peopleSnapshot(): Promise<string> {
  const json = await folder.file('people.json', JSON.stringify(people));
  const outputPath = await folder.file('people.parquet');
  await snapshotDataset({ inputPath: json, format: 'json', outputPath });
  return outputPath;
}

describe('de-identification', () => {
  it('replaces hashed columns with the HMAC-SHA256 Node computes, drops dropped ones and keeps NULLs', async () => {
    const inputPath = await peopleSnapshot();
    const outputPath = await folder.file('people-deidentified.parquet');
    const result = await deidentifyDataset({
      inputPath,
      outputPath,
      drop: ['phone'],
      hash: ['email', 'name', 'age'],
      key,
    });
    expect(result).toEqual({
      rows: 5,
      columns: [
        { name: 'email', type: 'VARCHAR' },
        { name: 'name', type: 'VARCHAR' },
        { name: 'age', type: 'VARCHAR' },
        { name: 'score', type: 'DOUBLE' },
      ],
    });
    const rows = await querySql(`SELECT * FROM '${outputPath}'`);
    expect(rows).toEqual(
      people.map((person) => ({
        email: person.email === null ? null : hmac(person.email),
        name: hmac(person.name),
        // A value's text is DuckDB's VARCHAR cast of it: integers print as themselves.
        age: person.age === null ? null : hmac(String(person.age)),
        score: person.score,
      })),
    );
  });

  it('leaves no raw value of a hashed or dropped column in the output rows or bytes', async () => {
    const inputPath = await peopleSnapshot();
    const outputPath = await folder.file('people-scan.parquet');
    await deidentifyDataset({ inputPath, outputPath, drop: ['phone'], hash: ['email', 'name'], key });
    const rawValues = people
      .flatMap((person) => [person.email, person.name, person.phone])
      .filter((value) => value);
    const cells = (await querySql(`SELECT * FROM '${outputPath}'`)).flatMap((row) =>
      Object.values(row).map(String),
    );
    const bytes = (await readFile(outputPath)).toString('latin1');
    for (const value of rawValues as string[]) {
      expect(cells.some((cell) => cell.includes(value))).toBe(false);
      // Parquet statistics (min/max) sit uncompressed in the footer: they must not hold raw values either.
      expect(bytes.includes(Buffer.from(value, 'utf8').toString('latin1'))).toBe(false);
    }
    expect(bytes.includes('phone')).toBe(false);
  });

  it('follows HMAC for keys longer than a SHA-256 block (hashed first)', async () => {
    const longKey = Buffer.alloc(100, 0xab);
    const inputPath = await peopleSnapshot();
    const outputPath = await folder.file('people-long-key.parquet');
    await deidentifyDataset({ inputPath, outputPath, drop: [], hash: ['name'], key: longKey });
    const names = (await querySql(`SELECT name FROM '${outputPath}'`)).map((row) => row.name);
    expect(names).toEqual(people.map((person) => hmac(person.name, longKey)));
  });

  it('writes the same bytes for the same input and key, different hashes for another key', async () => {
    const inputPath = await peopleSnapshot();
    const paths = await Promise.all(['a', 'b', 'c'].map((name) => folder.file(`repeat-${name}.parquet`)));
    await deidentifyDataset({ inputPath, outputPath: paths[0], drop: [], hash: ['email'], key, threads: 1 });
    await deidentifyDataset({ inputPath, outputPath: paths[1], drop: [], hash: ['email'], key, threads: 3 });
    await deidentifyDataset({
      inputPath,
      outputPath: paths[2],
      drop: [],
      hash: ['email'],
      key: Buffer.alloc(32, 1),
    });
    const [first, second, otherKey] = await Promise.all(paths.map((path) => readFile(path)));
    expect(first.equals(second)).toBe(true);
    expect(first.equals(otherKey)).toBe(false);
  });

  it.each([
    [
      { drop: ['ssn'], hash: ['mail', 'email'] },
      /pii names columns the dataset does not have: "ssn", "mail"; its columns are "email", "name", "phone", "age", "score"/,
    ],
    [{ drop: ['email'], hash: ['email'] }, /"email" are in both pii\.drop and pii\.hash/],
    [{ drop: ['email', 'name', 'phone', 'age', 'score'], hash: [] }, /removes every column/],
  ])('refuses %j with a clear error', async (pii, message) => {
    const inputPath = await peopleSnapshot();
    const attempt = deidentifyDataset({
      inputPath,
      outputPath: await folder.file('refused.parquet'),
      key,
      ...pii,
    });
    await expect(attempt).rejects.toBeInstanceOf(DatasetInputError);
    await expect(attempt).rejects.toThrow(message);
  });

  it('refuses a key too short to be secret', async () => {
    const inputPath = await peopleSnapshot();
    const attempt = deidentifyDataset({
      inputPath,
      outputPath: await folder.file('short-key.parquet'),
      drop: [],
      hash: ['email'],
      key: Buffer.from('short'),
    });
    await expect(attempt).rejects.toThrow(/has 5 bytes; use at least 16/);
  });
});
