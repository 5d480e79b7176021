import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  computeSplit,
  loadPartFrame,
  snapshotDataset,
  type SplitDefinition,
  splitPartQuery,
  splitParts,
  type SplitPart,
} from '../../../data/index.js';
import { makeTempFolder, querySql, writeFlightsSample } from './data-fixtures.js';

let folder: Awaited<ReturnType<typeof makeTempFolder>>;
/** 1,010 rows: ids in order, classes a (700), b (250), c (50) and 10 without a class; 21 rows (every 50th) have no day. */
let synthetic: string;

beforeAll(async () => {
  folder = await makeTempFolder();
  synthetic = await folder.file('synthetic.parquet');
  await querySql(
    `COPY (SELECT range AS id,
             CASE WHEN range < 700 THEN 'a' WHEN range < 950 THEN 'b' WHEN range < 1000 THEN 'c' END AS "class label",
             CASE WHEN range % 50 = 7 THEN NULL ELSE DATE '2024-01-01' + CAST((range * 7919) % 366 AS INTEGER) END AS "day"
           FROM range(1010)) TO '${synthetic}' (FORMAT parquet)`,
  );
});
afterAll(() => folder.remove());

async function partRows(
  snapshotPath: string,
  definition: SplitDefinition,
  part: SplitPart,
  columns?: string[],
) {
  return querySql(splitPartQuery(snapshotPath, definition, part, columns));
}

async function partIds(definition: SplitDefinition): Promise<Record<SplitPart, number[]>> {
  const entries = await Promise.all(
    splitParts.map(async (part) => [
      part,
      (await partRows(synthetic, definition, part, ['id'])).map((row) => Number(row.id)),
    ]),
  );
  return Object.fromEntries(entries) as Record<SplitPart, number[]>;
}

const randomOptions = {
  strategy: 'random',
  testFraction: 0.2,
  validationFraction: 0.1,
  seed: 42,
  target: 'class label',
  stratify: true,
} as const;

describe('random split', () => {
  it('gives each class its exact share in every part, parts disjoint and covering all rows in order', async () => {
    const definition = await computeSplit({ snapshotPath: synthetic, ...randomOptions });
    expect(definition).toMatchObject({ strategy: 'random', stratifiedBy: 'class label', rows: 1010 });
    if (definition.strategy !== 'random') throw new Error('expected a random split');
    expect(
      definition.strata.map(({ value, rows, train, validation, test }) => ({
        value,
        rows,
        train,
        validation,
        test,
      })),
    ).toEqual([
      { value: null, rows: 10, train: 7, validation: 1, test: 2 },
      { value: 'a', rows: 700, train: 490, validation: 70, test: 140 },
      { value: 'b', rows: 250, train: 175, validation: 25, test: 50 },
      { value: 'c', rows: 50, train: 35, validation: 5, test: 10 },
    ]);
    expect(definition.counts).toEqual({ train: 707, validation: 101, test: 202 });
    const ids = await partIds(definition);
    expect(ids.train.length + ids.validation.length + ids.test.length).toBe(1010);
    expect(new Set([...ids.train, ...ids.validation, ...ids.test]).size).toBe(1010);
    for (const part of splitParts) {
      expect(ids[part].length).toBe(definition.counts[part]);
      expect(ids[part]).toEqual([...ids[part]].sort((left, right) => left - right));
    }
    const testClasses = await partRows(synthetic, definition, 'test', ['class label']);
    expect(testClasses.filter((row) => row['class label'] === 'c')).toHaveLength(10);
  });

  it('is the same split for the same seed and a different one for another seed', async () => {
    const first = await computeSplit({ snapshotPath: synthetic, ...randomOptions });
    const again = await computeSplit({ snapshotPath: synthetic, ...randomOptions, threads: 1 });
    const otherSeed = await computeSplit({ snapshotPath: synthetic, ...randomOptions, seed: 43 });
    expect(again).toEqual(first);
    expect((await partIds(again)).test).toEqual((await partIds(first)).test);
    const otherTest = (await partIds(otherSeed)).test;
    expect(otherTest).toHaveLength(202);
    expect(otherTest).not.toEqual((await partIds(first)).test);
  });

  it('survives a JSON round trip and selects the same rows from it', async () => {
    const definition = await computeSplit({ snapshotPath: synthetic, ...randomOptions });
    const stored = JSON.parse(JSON.stringify(definition)) as SplitDefinition;
    expect(stored).toEqual(definition);
    expect(splitPartQuery(synthetic, stored, 'validation')).toBe(
      splitPartQuery(synthetic, definition, 'validation'),
    );
    expect(JSON.stringify(definition).length).toBeLessThan(2000);
  });

  it('splits without stratification into exact overall shares', async () => {
    const definition = await computeSplit({ snapshotPath: synthetic, ...randomOptions, stratify: false });
    expect(definition).toMatchObject({
      stratifiedBy: null,
      counts: { train: 707, validation: 101, test: 202 },
    });
    const ids = await partIds(definition);
    expect(new Set([...ids.train, ...ids.validation, ...ids.test]).size).toBe(1010);
  });
});

describe('time split', () => {
  it('puts the latest rows in test, the ones before in validation and rows without a time in train', async () => {
    const definition = await computeSplit({
      snapshotPath: synthetic,
      ...randomOptions,
      strategy: 'time',
      stratify: false,
      timeColumn: 'day',
    });
    if (definition.strategy !== 'time') throw new Error('expected a time split');
    expect(definition).toMatchObject({ timeType: 'DATE', rowsWithoutTime: 21, rows: 1010 });
    expect(definition.counts.train + definition.counts.validation + definition.counts.test).toBe(1010);
    // 989 rows have a day, so test takes round(989 x 0.2) = 198; cutoffs fall on whole days, so ties can move a part by a few rows.
    expect(definition.counts.test).toBeGreaterThanOrEqual(198);
    expect(definition.counts.test).toBeLessThan(198 + 8);
    const days = async (part: SplitPart) =>
      (await partRows(synthetic, definition, part, ['day'])).map((row) =>
        row.day === null ? null : String(row.day),
      );
    const [train, validation, test] = await Promise.all([days('train'), days('validation'), days('test')]);
    expect(train.filter((day) => day === null)).toHaveLength(21);
    const latest = (values: (string | null)[]) =>
      values
        .filter((day) => day !== null)
        .sort()
        .at(-1) ?? '';
    const earliest = (values: (string | null)[]) => values.filter((day) => day !== null).sort()[0] ?? '';
    expect(latest(train) < earliest(validation)).toBe(true);
    expect(latest(validation) < earliest(test)).toBe(true);
    expect(earliest(test)).toBe(definition.testFrom);
  });

  it.each([
    [
      { timeColumn: 'when' },
      /split\.timeColumn "when" does not exist; the columns are "id", "class label", "day"/,
    ],
    [{ timeColumn: undefined }, /a split\.timeColumn is needed/],
    [
      { timeColumn: 'day', testFraction: 0.7, validationFraction: 0.3 },
      /must be at least 0 and leave rows to train on/,
    ],
  ])('refuses %j', async (options, message) => {
    const attempt = computeSplit({
      snapshotPath: synthetic,
      ...randomOptions,
      strategy: 'time',
      stratify: false,
      ...options,
    });
    await expect(attempt).rejects.toThrow(message);
  });
});

describe('split of the flights sample', () => {
  it('loads each part as a frame with the counts the definition recorded', async () => {
    const sample = await folder.file('flights-sample.parquet');
    await writeFlightsSample(sample);
    const snapshotPath = await folder.file('flights-features.parquet');
    await snapshotDataset({
      inputPath: sample,
      format: 'parquet',
      query: 'select date, hour(date) as "hour of day", distance, origin, delay > 15 as delayed from data',
      outputPath: snapshotPath,
    });
    const random = await computeSplit({ snapshotPath, ...randomOptions, target: 'delayed' });
    const time = await computeSplit({
      snapshotPath,
      ...randomOptions,
      strategy: 'time',
      stratify: false,
      timeColumn: 'date',
    });
    expect(random.rows).toBe(20_000);
    expect(time.rows).toBe(20_000);
    const columns = ['hour of day', 'distance', 'origin', 'delayed'];
    for (const definition of [random, time]) {
      for (const part of splitParts) {
        const frame = await loadPartFrame({ snapshotPath, definition, part, columns });
        expect(frame.rowCount).toBe(definition.counts[part]);
        expect(frame.columns.map((column) => [column.name, column.kind])).toEqual([
          ['hour of day', 'numeric'],
          ['distance', 'numeric'],
          ['origin', 'categorical'],
          ['delayed', 'numeric'],
        ]);
      }
    }
    if (time.strategy !== 'time') throw new Error('expected a time split');
    expect(time.testFrom?.startsWith('2001-0')).toBe(true);
  });
});
