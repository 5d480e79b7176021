/**
 * Data stage throughput on the full flights-3m.parquet (3M rows): ingest (snapshot, plain and with
 * the flights example's derived features), validate, de-identify (one hashed column), split
 * (random stratified and by time) and loading the train part as an ml/ frame.
 *
 *   node --import tsx scripts/bench/data-stages.ts [--threads 2] [--source path.parquet]
 *
 * Goal (issue 4): ingest >= 1M rows/s from Parquet. Prints one row per stage and the peak RSS.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  computeSplit,
  deidentifyDataset,
  loadPartFrame,
  snapshotDataset,
  validateDataset,
} from '../../data/index.js';
import { printTable } from './table.js';

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const source = argument('source') ?? 'node_modules/vega-datasets/data/flights-3m.parquet';
const threads = Number(argument('threads') ?? availableParallelism());
const featuresQuery = `select date, hour(date) as hour, dayofweek(date) as day_of_week, distance, origin, destination,
  delay > 15 as delayed from data`;

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const started = performance.now();
  const result = await work();
  return { result, seconds: (performance.now() - started) / 1000 };
}

async function main(): Promise<void> {
  const folder = await mkdtemp(join(tmpdir(), 'mlops-data-bench-'));
  const rows: (string | number)[][] = [];
  const record = (stage: string, count: number, seconds: number) =>
    rows.push([stage, count, seconds.toFixed(2), Math.round(count / seconds).toLocaleString('en-US')]);
  try {
    const plain = join(folder, 'plain.parquet');
    const snapshot = await timed(() =>
      snapshotDataset({ inputPath: source, format: 'parquet', outputPath: plain, threads }),
    );
    record('ingest (select * from data)', snapshot.result.rows, snapshot.seconds);

    const features = join(folder, 'features.parquet');
    const derived = await timed(() =>
      snapshotDataset({
        inputPath: source,
        format: 'parquet',
        query: featuresQuery,
        outputPath: features,
        threads,
      }),
    );
    record('ingest (derived features)', derived.result.rows, derived.seconds);

    const validation = await timed(() =>
      validateDataset({
        snapshotPath: features,
        target: 'delayed',
        threads,
        expectations: {
          minRows: 1000,
          maxNullFraction: 0.05,
          columns: {
            distance: { type: 'number', min: 0, max: 10_000 },
            hour: { min: 0, max: 23 },
            origin: { type: 'string' },
          },
        },
      }),
    );
    record(`validate (passed: ${validation.result.passed})`, validation.result.rows, validation.seconds);

    const hashed = join(folder, 'hashed.parquet');
    const key = Buffer.alloc(32, 7);
    const deidentify = await timed(() =>
      deidentifyDataset({
        inputPath: features,
        outputPath: hashed,
        drop: ['destination'],
        hash: ['origin'],
        key,
        threads,
      }),
    );
    record('de-identify (hash 1, drop 1 column)', deidentify.result.rows, deidentify.seconds);

    const random = await timed(() =>
      computeSplit({
        snapshotPath: features,
        strategy: 'random',
        testFraction: 0.2,
        validationFraction: 0.1,
        seed: 42,
        target: 'delayed',
        stratify: true,
        threads,
      }),
    );
    record('split (random, stratified)', random.result.rows, random.seconds);

    const time = await timed(() =>
      computeSplit({
        snapshotPath: features,
        strategy: 'time',
        testFraction: 0.2,
        validationFraction: 0.1,
        seed: 42,
        stratify: false,
        timeColumn: 'date',
        threads,
      }),
    );
    record('split (time)', time.result.rows, time.seconds);

    const load = await timed(() =>
      loadPartFrame({
        snapshotPath: features,
        definition: random.result,
        part: 'train',
        columns: ['hour', 'day_of_week', 'distance', 'origin', 'destination', 'delayed'],
        threads,
      }),
    );
    record('load train part as frame (6 columns)', load.result.rowCount, load.seconds);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
  printTable(
    `Data stages on ${source} (${threads} DuckDB threads)`,
    ['stage', 'rows', 'seconds', 'rows/s'],
    rows,
  );
  console.log(`\npeak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
