import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetInputError, deidentifyDataset, snapshotDataset } from '../../data/index.js';
import { hashPiiText, PII_HASH_PATTERN } from '../../ml/pii-hash.js';
import { compileInstanceValidator } from '../../serving/input-validator.js';
import { makeTempFolder, querySql } from './data/data-fixtures.js';

let folder: Awaited<ReturnType<typeof makeTempFolder>>;
beforeAll(async () => {
  folder = await makeTempFolder();
});
afterAll(() => folder.remove());

const key = 'the platform key of at least thirty-two characters';

/** What training's de-identification stores for each row of `rows` (one hashed column, `value`). */
async function hashedByTraining(name: string, rows: Record<string, unknown>[]): Promise<unknown[]> {
  const json = await folder.file(`${name}.json`, JSON.stringify(rows));
  const snapshot = await folder.file(`${name}.parquet`);
  await snapshotDataset({ inputPath: json, format: 'json', outputPath: snapshot });
  const outputPath = await folder.file(`${name}-deidentified.parquet`);
  await deidentifyDataset({
    inputPath: snapshot,
    outputPath,
    drop: [],
    hash: ['value'],
    key: Buffer.from(key),
  });
  return (await querySql(`SELECT value FROM '${outputPath}'`)).map((row) => row.value);
}

describe('the PII hash at serving', () => {
  it('equals, byte for byte, what de-identification stored for the same raw value', async () => {
    const [stored] = await hashedByTraining('one-row', [{ value: 'a@b.c', other: 1 }]);
    expect(hashPiiText(key, 'a@b.c')).toBe(stored);
    expect(stored).toMatch(PII_HASH_PATTERN);
  });

  it('agrees on non-ASCII text, backslashes and the empty string', async () => {
    const texts = ['Bøb Ünïcødé 🐧', 'back\\slash \\x41', '', '中文名字'];
    const stored = await hashedByTraining(
      'texts',
      texts.map((value) => ({ value })),
    );
    expect(texts.map((text) => hashPiiText(key, text))).toEqual(stored);
  });

  it('keeps pii.hashed columns as they are, and refuses raw values in them without showing one', async () => {
    const hashes = [hashPiiText(key, 'a@b.c'), hashPiiText(key, 'd@e.f')];
    const json = await folder.file('hashed.json', JSON.stringify(hashes.map((value) => ({ value, n: 1 }))));
    const snapshot = await folder.file('hashed.parquet');
    await snapshotDataset({ inputPath: json, format: 'json', outputPath: snapshot });
    const outputPath = await folder.file('hashed-out.parquet');
    await deidentifyDataset({
      inputPath: snapshot,
      outputPath,
      drop: [],
      hash: [],
      hashed: ['value'],
      key: Buffer.alloc(0),
    });
    expect((await querySql(`SELECT value FROM '${outputPath}'`)).map((row) => row.value)).toEqual(hashes);

    const raw = await folder.file(
      'raw.json',
      JSON.stringify([{ value: hashes[0] }, { value: 'raw@mail.example' }]),
    );
    const rawSnapshot = await folder.file('raw.parquet');
    await snapshotDataset({ inputPath: raw, format: 'json', outputPath: rawSnapshot });
    const refused = await deidentifyDataset({
      inputPath: rawSnapshot,
      outputPath: await folder.file('raw-out.parquet'),
      drop: [],
      hash: [],
      hashed: ['value'],
      key: Buffer.alloc(0),
    }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DatasetInputError);
    expect((refused as Error).message).toMatch(
      /pii\.hashed column "value" has 1 values that are not keyed hashes/,
    );
    expect((refused as Error).message).not.toContain('raw@mail.example');
  });
});

describe('input validation of personal data', () => {
  const validate = compileInstanceValidator({
    schema: [
      { name: 'email', type: 'string', missingInTraining: false },
      { name: 'age', type: 'number', missingInTraining: false },
    ],
    pii: { hashed: ['email'], dropped: ['name'] },
    allowMissing: [],
  });

  it('takes a raw string for a hashed input and refuses anything else without quoting it', () => {
    expect(
      validate([
        { email: 'a@b.c', age: 3 },
        { email: '', age: 3 },
      ]),
    ).toEqual([]);
    const problems = validate([
      { email: { secret: 'a@b.c' }, age: 3 },
      { email: 5550100, age: 3 },
    ]);
    expect(problems).toEqual([
      {
        index: 0,
        field: 'email',
        problem: expect.stringMatching(/^must be a string .*value not shown.*, not an object$/),
      },
      { index: 1, field: 'email', problem: expect.stringMatching(/not a number$/) },
    ]);
    expect(JSON.stringify(problems)).not.toMatch(/a@b\.c|5550100/);
  });

  it('refuses a dropped column by name, saying it is personal data the model was trained without', () => {
    expect(validate([{ email: 'a@b.c', age: 3, name: 'Ann Lee' }])).toEqual([
      {
        index: 0,
        field: 'name',
        problem: expect.stringMatching(/^is personal data this model was trained without \(pii\.drop\)/),
      },
    ]);
  });
});
