import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inferTask, snapshotDataset, targetClasses, validateDataset } from '../../../data/index.js';
import { makeTempFolder, penguinsPath } from './data-fixtures.js';

let folder: Awaited<ReturnType<typeof makeTempFolder>>;
let penguins: string;

/** A CSV turned into a snapshot, as validation only ever sees snapshots. */
async function snapshotOf(name: string, csv: string): Promise<string> {
  const outputPath = await folder.file(`${name}.parquet`);
  await snapshotDataset({ inputPath: await folder.file(`${name}.csv`, csv), format: 'csv', outputPath });
  return outputPath;
}

beforeAll(async () => {
  folder = await makeTempFolder();
  penguins = await folder.file('penguins.parquet');
  await snapshotDataset({ inputPath: penguinsPath, format: 'json', outputPath: penguins });
});
afterAll(() => folder.remove());

const orders = [
  'order id,amount ($),category,label',
  '1,10.5,book,yes',
  '2,n/a,book,no',
  '3,12,toy,yes',
  '4,unknown,book,no',
  '5,9000,food,yes',
  '6,,book,no',
  '7,-3,toy,yes',
  '8,n/a,toy,no',
  '9,15,book,yes',
  '10,20,book,no',
].join('\n');

describe('dataset validation', () => {
  it('passes the penguins data against the example spec expectations', async () => {
    const report = await validateDataset({
      snapshotPath: penguins,
      target: 'Species',
      expectations: {
        minRows: 100,
        maxNullFraction: 0.2,
        columns: {
          'Flipper Length (mm)': { type: 'number', min: 0, max: 400 },
          Species: { allowed: ['Adelie', 'Gentoo', 'Chinstrap'] },
        },
      },
    });
    expect(report).toMatchObject({ passed: true, rows: 344, violations: [] });
    expect(report.columns.Sex).toEqual({ type: 'VARCHAR', nulls: 10, nullFraction: 10 / 344, distinct: 3 });
  });

  it('lists every violated expectation at once, with counts and example values', async () => {
    const snapshotPath = await snapshotOf('orders', orders);
    const report = await validateDataset({
      snapshotPath,
      target: 'label',
      maxExamples: 2,
      expectations: {
        minRows: 100,
        maxNullFraction: 0.05,
        columns: {
          'amount ($)': { type: 'number', maxInvalidFraction: 0.1, min: 0, max: 1000 },
          category: { allowed: ['book', 'toy'] },
          discount: { type: 'number' },
        },
      },
    });
    expect(report.passed).toBe(false);
    const byExpectation = Object.fromEntries(
      report.violations.map((violation) => [violation.expectation, violation]),
    );
    expect(byExpectation.minRows).toMatchObject({ count: 10 });
    expect(byExpectation.minRows.message).toMatch(/has 10 rows; validation\.minRows asks for at least 100/);
    expect(byExpectation.columnPresent).toMatchObject({ column: 'discount', count: 0 });
    expect(byExpectation.maxNullFraction).toMatchObject({ column: 'amount ($)', count: 1 });
    expect(byExpectation.type).toMatchObject({
      column: 'amount ($)',
      count: 3,
      examples: ['n/a', 'unknown'],
    });
    expect(byExpectation.type.message).toMatch(
      /3 of 9 non-null values \(33\.33%\) are not numbers .* at most 10% may be/,
    );
    expect(byExpectation.min).toMatchObject({ column: 'amount ($)', count: 1, examples: ['-3'] });
    expect(byExpectation.max).toMatchObject({ column: 'amount ($)', count: 1, examples: ['9000'] });
    expect(byExpectation.allowed).toMatchObject({ column: 'category', count: 1, examples: ['food'] });
    expect(report.violations).toHaveLength(7);
    // Messages hold no data values: a caller can redact a PII column's examples and leak nothing.
    for (const violation of report.violations) {
      for (const example of violation.examples) expect(violation.message).not.toContain(example);
    }
  });

  it('accepts non-numeric text within maxInvalidFraction', async () => {
    const snapshotPath = await snapshotOf('orders-tolerant', orders);
    const report = await validateDataset({
      snapshotPath,
      target: 'label',
      expectations: { columns: { 'amount ($)': { type: 'number', maxInvalidFraction: 0.34 } } },
    });
    expect(report.violations).toEqual([]);
  });

  it.each([
    [
      'missing',
      'a,b\n1,x\n2,y\n',
      'price',
      'targetPresent',
      /target column "price" does not exist; the dataset's columns are "a", "b"/,
    ],
    ['all null', 'a,price\n1,\n2,\n', 'price', 'targetNotNull', /target column "price" is null in every row/],
    [
      'constant',
      'a,price\n1,5\n2,5\n3,\n',
      'price',
      'targetNonConstant',
      /target column "price" has one value in every non-null row/,
    ],
  ] as const)('reports a target that is %s', async (name, csv, target, expectation, message) => {
    const report = await validateDataset({
      snapshotPath: await snapshotOf(`target-${name}`, csv),
      target,
      expectations: { columns: {} },
    });
    expect(report.passed).toBe(false);
    expect(report.violations).toHaveLength(1);
    expect(report.violations[0].expectation).toBe(expectation);
    expect(report.violations[0].message).toMatch(message);
    if (expectation === 'targetNonConstant') expect(report.violations[0].examples).toEqual(['5']);
  });

  it('checks boolean and string types', async () => {
    const snapshotPath = await snapshotOf('types', 'flag,code,y\ntrue,1,a\nmaybe,2,b\nfalse,3,a\n');
    const report = await validateDataset({
      snapshotPath,
      target: 'y',
      expectations: {
        columns: { flag: { type: 'boolean' }, code: { type: 'string' }, y: { type: 'string' } },
      },
    });
    expect(report.violations.map(({ column, count, examples }) => ({ column, count, examples }))).toEqual([
      { column: 'flag', count: 1, examples: ['maybe'] },
      { column: 'code', count: 3, examples: ['1', '2', '3'] },
    ]);
  });
});

describe('task inference', () => {
  it('infers the task and classes from the target', async () => {
    expect(await inferTask(penguins, 'Species')).toBe('multiclass');
    expect(await inferTask(penguins, 'Body Mass (g)')).toBe('regression');
    expect(await targetClasses(penguins, 'Species')).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    const snapshotPath = await snapshotOf(
      'tasks',
      'binary,grade,ratio,flag\nno,1,0.5,true\nyes,10,1,false\nno,2,2,true\n',
    );
    expect(await inferTask(snapshotPath, 'binary')).toBe('binary');
    expect(await inferTask(snapshotPath, 'grade')).toBe('multiclass');
    expect(await inferTask(snapshotPath, 'ratio')).toBe('regression');
    expect(await inferTask(snapshotPath, 'flag')).toBe('binary');
    expect(await targetClasses(snapshotPath, 'grade')).toEqual(['1', '2', '10']);
    await expect(inferTask(snapshotPath, 'nope')).rejects.toThrow(/target column "nope" does not exist/);
  });
});
