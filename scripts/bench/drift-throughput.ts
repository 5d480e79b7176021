/**
 * Drift statistics throughput: reference profile build and window comparison, timed separately,
 * on 1M rows x 10 features (8 numeric, 2 categorical) of synthetic data, and on flights-3m
 * (first 1M rows by date as reference, last 1M as window; 4 numeric + 2 categorical features).
 *
 *   node --import tsx scripts/bench/drift-throughput.ts [--rows 1000000] [--repeat 3] [--skip-flights]
 *
 * Goal (issue 3): window comparison of 1M rows x 10 features in <= 1 s. Timings are the median
 * of --repeat runs; the machine is shared, so the spread (min-max) is printed too.
 */

import { DuckDBInstance } from '@duckdb/node-api';
import { buildReferenceProfile, createDriftAccumulator, type DriftReport } from '../../ml/drift/index.js';
import type { CategoricalColumn, Column, NumericColumn } from '../../ml/frame/frame.js';
import { seededRandom } from '../../contracts/seeded-random.js';

const CHUNK_ROWS = 100_000;

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** 8 numeric features of different shapes (one with 1% missing) and 2 categorical ones (50 and 300 values). */
function syntheticColumns(rows: number, seed: number, drift: boolean): Column[] {
  const random = seededRandom(seed);
  const generators: [string, () => number][] = [
    ['normal', () => normal(random)],
    ['shifted normal', () => 5 + 2 * normal(random) + (drift ? 0.8 : 0)],
    ['lognormal income', () => Math.exp(10 + 0.6 * normal(random))],
    ['uniform', () => random()],
    ['hour', () => Math.floor(random() * 24)],
    ['exponential wait', () => -Math.log(1 - random()) * (drift ? 1.6 : 1)],
    ['bimodal', () => (random() < 0.3 ? -2 : 3) + normal(random)],
    ['with missing', () => (random() < 0.01 ? Number.NaN : 100 + 15 * normal(random))],
  ];
  const columns: Column[] = generators.map(([name, draw]): NumericColumn => {
    const values = new Float64Array(rows);
    for (let row = 0; row < rows; row += 1) values[row] = draw();
    return { kind: 'numeric', name, values, missing: null };
  });
  for (const [name, size] of [
    ['state', 50],
    ['product', 300],
  ] as const) {
    const dictionary = Array.from({ length: size }, (_, index) => `${name}-${index}`);
    const codes = new Int32Array(rows);
    // Zipf-like: low codes are common.
    for (let row = 0; row < rows; row += 1)
      codes[row] = Math.min(size - 1, Math.floor(size * random() ** 2.5));
    columns.push({ kind: 'categorical', name, codes, dictionary } satisfies CategoricalColumn);
  }
  return columns;
}

function toCategorical(name: string, values: readonly unknown[]): CategoricalColumn {
  const dictionary: string[] = [];
  const codeOf = new Map<string, number>();
  const codes = Int32Array.from(values, (value) => {
    if (value === null) return -1;
    const key = String(value);
    let code = codeOf.get(key);
    if (code === undefined) {
      code = dictionary.length;
      codeOf.set(key, code);
      dictionary.push(key);
    }
    return code;
  });
  return { kind: 'categorical', name, codes, dictionary };
}

async function flightsColumns(rows: number): Promise<{ reference: Column[]; window: Column[] }> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const load = async (order: 'asc' | 'desc') => {
    const reader = await connection.runAndReadAll(`
      select cast(delay as double) as delay, cast(distance as double) as distance,
             cast(hour(date) as double) as hour, cast(isodow(date) as double) as day_of_week,
             origin, destination
      from 'node_modules/vega-datasets/data/flights-3m.parquet' order by date ${order} limit ${rows}`);
    const data = reader.getColumnsObjectJS();
    const numeric = (name: string): NumericColumn => ({
      kind: 'numeric',
      name,
      values: Float64Array.from(data[name] as (number | null)[], (value) => value ?? Number.NaN),
      missing: null,
    });
    return [
      numeric('delay'),
      numeric('distance'),
      numeric('hour'),
      numeric('day_of_week'),
      toCategorical('origin', data.origin),
      toCategorical('destination', data.destination),
    ];
  };
  const reference = await load('asc');
  const window = await load('desc');
  connection.closeSync();
  return { reference, window };
}

function slice(column: Column, start: number, end: number): Column {
  return column.kind === 'numeric'
    ? {
        ...column,
        values: column.values.subarray(start, end),
        missing: column.missing?.subarray(start, end) ?? null,
      }
    : { ...column, codes: column.codes.subarray(start, end) };
}

function rowCountOf(columns: Column[]): number {
  const first = columns[0];
  return first.kind === 'numeric' ? first.values.length : first.codes.length;
}

function timed<T>(work: () => T): { result: T; seconds: number } {
  const start = performance.now();
  const result = work();
  return { result, seconds: (performance.now() - start) / 1000 };
}

function summary(seconds: number[]): { median: number; spread: string } {
  const sorted = [...seconds].sort((left, right) => left - right);
  return {
    median: sorted[Math.floor(sorted.length / 2)],
    spread: `${sorted[0].toFixed(3)}-${sorted[sorted.length - 1].toFixed(3)}`,
  };
}

function benchmark(
  label: string,
  reference: Column[],
  window: Column[],
  repeat: number,
): Record<string, string> {
  const rows = rowCountOf(window);
  const buildSeconds: number[] = [];
  const compareSeconds: number[] = [];
  let profileBytes = 0;
  let report: DriftReport | null = null;
  for (let run = 0; run < repeat; run += 1) {
    const build = timed(() => buildReferenceProfile({ columns: reference }));
    buildSeconds.push(build.seconds);
    profileBytes = JSON.stringify(build.result).length;
    const compare = timed(() => {
      const accumulator = createDriftAccumulator(build.result);
      for (let start = 0; start < rows; start += CHUNK_ROWS) {
        const end = Math.min(rows, start + CHUNK_ROWS);
        accumulator.addColumns({ columns: window.map((column) => slice(column, start, end)) });
      }
      return accumulator.finish();
    });
    compareSeconds.push(compare.seconds);
    report = compare.result;
  }
  const build = summary(buildSeconds);
  const compare = summary(compareSeconds);
  return {
    data: label,
    rows: rows.toLocaleString('en-US'),
    features: String(window.length),
    'profile build s': `${build.median.toFixed(3)} (${build.spread})`,
    'window comparison s': `${compare.median.toFixed(3)} (${compare.spread})`,
    'rows/s compared': Math.round(rows / compare.median).toLocaleString('en-US'),
    'profile KB': (profileBytes / 1024).toFixed(1),
    drifted: report!.verdict.driftedFeatures.join(', ') || '-',
  };
}

async function main(): Promise<void> {
  const rows = argument('rows', 1_000_000);
  const repeat = argument('repeat', 3);
  const table: Record<string, string>[] = [];
  console.log(
    `generating ${rows.toLocaleString('en-US')} synthetic rows x 10 features (reference and window) ...`,
  );
  table.push(
    benchmark('synthetic', syntheticColumns(rows, 1, false), syntheticColumns(rows, 2, true), repeat),
  );
  if (!process.argv.includes('--skip-flights')) {
    console.log('reading flights-3m.parquet with DuckDB ...');
    const flights = await flightsColumns(rows);
    table.push(benchmark('flights (first vs last rows by date)', flights.reference, flights.window, repeat));
  }
  console.table(table);
  console.log(
    `window comparison = accumulator over ${CHUNK_ROWS.toLocaleString('en-US')}-row chunks + finish(); goal <= 1 s for 1M rows x 10 features`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
