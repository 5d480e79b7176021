import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { type CategoricalColumn, FrameError, getColumn, type NumericColumn } from '../../ml/frame/frame.js';
import {
  frameFromColumns,
  frameFromDuckDBChunks,
  frameFromDuckDBResult,
  frameFromDuckDBStream,
  frameFromRows,
  sliceRows,
  takeRows,
} from '../../ml/frame/index.js';

const numeric = (column: unknown) => column as NumericColumn;
const categorical = (column: unknown) => column as CategoricalColumn;
const texts = (column: CategoricalColumn) =>
  Array.from(column.codes, (code) => (code < 0 ? null : column.dictionary[code]));

describe('frames from rows', () => {
  it('infers numeric and categorical columns and keeps names with spaces and punctuation', () => {
    const frame = frameFromRows([
      { 'Beak Length (mm)': 39.1, 'Island / "site"': 'Torgersen', 'is adult?': true },
      { 'Beak Length (mm)': 40, 'Island / "site"': 'Biscoe', 'is adult?': false },
    ]);
    expect(frame.rowCount).toBe(2);
    expect(frame.columns.map((column) => [column.name, column.kind])).toEqual([
      ['Beak Length (mm)', 'numeric'],
      ['Island / "site"', 'categorical'],
      ['is adult?', 'numeric'],
    ]);
    expect(Array.from(numeric(getColumn(frame, 'Beak Length (mm)')).values)).toEqual([39.1, 40]);
    expect(texts(categorical(getColumn(frame, 'Island / "site"')))).toEqual(['Torgersen', 'Biscoe']);
    const adult = numeric(getColumn(frame, 'is adult?'));
    expect(Array.from(adult.values)).toEqual([1, 0]);
    expect(adult.sourceType).toBe('boolean');
  });

  it('treats null, undefined, absent keys, NaN, Infinity and the empty string as missing', () => {
    const frame = frameFromRows([
      { x: 1, c: 'a' },
      { x: null, c: '' },
      { c: null },
      { x: NaN, c: undefined },
      { x: Infinity, c: 'b' },
    ]);
    const x = numeric(getColumn(frame, 'x'));
    expect(Array.from(x.missing ?? [])).toEqual([0, 1, 1, 1, 1]);
    expect(Number.isNaN(x.values[1])).toBe(true);
    expect(texts(categorical(getColumn(frame, 'c')))).toEqual(['a', null, null, null, 'b']);
  });

  it('keeps numeric-looking strings as categories unless the column is declared numeric', () => {
    const rows = [{ zip: '007' }, { zip: '10115' }];
    expect(texts(categorical(getColumn(frameFromRows(rows), 'zip')))).toEqual(['007', '10115']);
    const declared = numeric(getColumn(frameFromRows(rows, { numeric: ['zip'] }), 'zip'));
    expect(Array.from(declared.values)).toEqual([7, 10115]);
    expect(() => frameFromRows([{ zip: 'abc' }], { numeric: ['zip'] })).toThrow(/declared numeric but row 0/);
  });

  it('turns a column that mixes numbers and text into text, losslessly', () => {
    const column = categorical(
      getColumn(frameFromRows([{ v: 1 }, { v: null }, { v: 'two' }, { v: 3.5 }]), 'v'),
    );
    expect(texts(column)).toEqual(['1', null, 'two', '3.5']);
  });

  it('stores dates as epoch milliseconds and makes an all-missing column numeric', () => {
    const frame = frameFromRows([
      { when: new Date('2024-01-02T03:04:05Z'), empty: null },
      { when: null, empty: undefined },
    ]);
    const when = numeric(getColumn(frame, 'when'));
    expect(when.values[0]).toBe(Date.UTC(2024, 0, 2, 3, 4, 5));
    expect(when.sourceType).toBe('timestamp');
    const empty = numeric(getColumn(frame, 'empty'));
    expect(Array.from(empty.missing ?? [])).toEqual([1, 1]);
  });

  it('reads a column named like an Object.prototype member only from the row itself', () => {
    const frame = frameFromRows([{ constructor: 'x' }, {}], { columns: ['constructor'] });
    expect(texts(categorical(getColumn(frame, 'constructor')))).toEqual(['x', null]);
  });

  it('refuses nested values with an error naming the column and row', () => {
    expect(() => frameFromRows([{ a: 1 }, { a: { nested: true } }])).toThrow(FrameError);
    expect(() => frameFromRows([{ a: 1 }, { a: [1] }])).toThrow(/column "a" row 1 holds an array/);
  });
});

describe('frames from column arrays', () => {
  it('takes typed arrays as numeric columns and plain arrays by inference', () => {
    const frame = frameFromColumns([
      { name: 'distance (mi)', values: Float64Array.of(1, NaN, 3) },
      { name: 'count', values: Int32Array.of(4, 5, 6) },
      { name: 'origin', values: ['SFO', null, 'LAX'] },
    ]);
    expect(Array.from(numeric(getColumn(frame, 'distance (mi)')).missing ?? [])).toEqual([0, 1, 0]);
    expect(Array.from(numeric(getColumn(frame, 'count')).values)).toEqual([4, 5, 6]);
    expect(texts(categorical(getColumn(frame, 'origin')))).toEqual(['SFO', null, 'LAX']);
  });

  it('refuses columns of different lengths and duplicate names', () => {
    expect(() => frameFromColumns({ a: [1, 2], b: [1] })).toThrow(/has 1 values/);
    expect(() =>
      frameFromColumns([
        { name: 'a', values: [1] },
        { name: 'a', values: [2] },
      ]),
    ).toThrow(/appears twice/);
  });
});

describe('frames from DuckDB results', () => {
  async function query(sql: string) {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    return { connection, result: await connection.run(sql) };
  }
  const sql = `
    select i::bigint as "row id", (i * 1.5)::double as "x value", case when i % 3 = 0 then null else 'k' || (i % 4) end as "key (text)",
           timestamp '2001-01-01 00:00:00' + to_minutes(i) as "when", (i % 2 = 0) as "even?", 1.25::decimal(6, 2) as price
    from range(5000) t(i)`;

  it('converts BIGINT, DOUBLE, VARCHAR, NULL, TIMESTAMP, BOOLEAN and DECIMAL, chunk by chunk', async () => {
    const { result } = await query(sql);
    expect(result.chunkCount).toBeGreaterThan(1);
    const frame = frameFromDuckDBResult(result);
    expect(frame.rowCount).toBe(5000);
    expect(numeric(getColumn(frame, 'row id')).values[4999]).toBe(4999);
    expect(numeric(getColumn(frame, 'x value')).values[3]).toBe(4.5);
    const key = categorical(getColumn(frame, 'key (text)'));
    expect(texts(key).slice(0, 4)).toEqual([null, 'k1', 'k2', null]);
    const when = numeric(getColumn(frame, 'when'));
    expect(when.sourceType).toBe('timestamp');
    expect(when.values[2]).toBe(Date.UTC(2001, 0, 1, 0, 2));
    expect(numeric(getColumn(frame, 'even?')).sourceType).toBe('boolean');
    expect(numeric(getColumn(frame, 'price')).values[0]).toBe(1.25);
  });

  it('gives the same frame from a stream, from gathered chunks and from a materialized result', async () => {
    const materialized = frameFromDuckDBResult((await query(sql)).result);
    const { connection } = await query('select 1');
    const streamed = await frameFromDuckDBStream(await connection.stream(sql));
    const gathered = await (async () => {
      const result = await connection.run(sql);
      return frameFromDuckDBChunks(result.columnNames(), await result.fetchAllChunks());
    })();
    expect(streamed).toEqual(materialized);
    expect(gathered).toEqual(materialized);
  });
});

describe('row selection', () => {
  it('takes and slices rows, keeping dictionaries and missing masks consistent', () => {
    const frame = frameFromRows([
      { x: 1, c: 'a' },
      { x: null, c: 'b' },
      { x: 3, c: null },
    ]);
    const taken = takeRows(frame, [2, 0]);
    expect(Array.from(numeric(getColumn(taken, 'x')).values)).toEqual([3, 1]);
    expect(numeric(getColumn(taken, 'x')).missing).toBeNull();
    expect(texts(categorical(getColumn(taken, 'c')))).toEqual([null, 'a']);
    const sliced = sliceRows(frame, 1, 3);
    expect(Array.from(numeric(getColumn(sliced, 'x')).missing ?? [])).toEqual([1, 0]);
    expect(() => takeRows(frame, [3])).toThrow(FrameError);
  });
});
