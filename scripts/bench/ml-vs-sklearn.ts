/**
 * Our logistic regression and gradient boosting against scikit-learn's LogisticRegression (lbfgs,
 * sparse one-hot input) and HistGradientBoostingClassifier (native categorical splits), side by
 * side on flights-3m: fit time, predict time for 100k rows, peak RSS, holdout AUC and log loss,
 * the ratios to scikit-learn, and our row-wise predict latency.
 *
 *   node --import tsx scripts/bench/ml-vs-sklearn.ts [--sizes 1m,3m] [--models logistic,boosting]
 *        [--python path/to/python] [--repeat 1]
 *
 * Data: features hour, day of week, distance, origin, destination; target delay > 15 minutes.
 * Rows in time order; the last 100,000 are the test set; "1m" trains on the earliest 1,000,000
 * rows, "3m" on all 2,900,000 before the test rows. Both sides read the same Parquet files (written
 * once by DuckDB); origin and destination keep their 252 most frequent airports in training, the
 * rest become "(other)" (flights has about 230, so none merge), within scikit-learn's 255.
 * Same settings on both sides: C = 1, tol = 1e-4, max_iter = 100; 100 trees, 31 leaves, learning
 * rate 0.1, min samples per leaf 20, no L2, 255 bins. Each fit runs in its own child process
 * (ours and scikit-learn's alternately), so peak RSS is that of one model at one size.
 * Without --python, scikit-learn is installed into scripts/bench/.venv on first use (never in CI).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { frameFromDuckDBStream } from '../../ml/frame/index.js';
import { binaryRocCurve, logLoss } from '../../ml/metrics/index.js';
import {
  loadModelDocument,
  predictFrame,
  predictRowInto,
  trainModel,
  type TrainerName,
} from '../../ml/model/index.js';
import type { Frame } from '../../ml/frame/frame.js';
import { sklearnPython } from './sklearn-python.js';
import { median, printTable } from './table.js';

const here = dirname(fileURLToPath(import.meta.url));
const FLIGHTS = join(here, '../../node_modules/vega-datasets/data/flights-3m.parquet');
const TEST_ROWS = 100_000;
const KEPT_AIRPORTS = 252;
const SIZES: Record<string, number> = { '1m': 1_000_000, '3m': 2_900_000 };
const MODELS = { logistic: 'logistic_regression', boosting: 'gradient_boosting' } as const;
type ModelKey = keyof typeof MODELS;

interface Result {
  fitSeconds: number;
  /** CPU time of the fit, all threads: less sensitive than wall time to other processes' load. */
  fitCpuSeconds: number;
  predictSeconds: number;
  peakRssMb: number;
  auc: number;
  logLoss: number;
  iterations: number;
  rowMicros: number | null;
}

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : fallback;
}

/** Writes test.parquet and one training file per size (once; reused from the temp folder). */
async function prepareData(folder: string): Promise<void> {
  if (existsSync(join(folder, 'test.parquet'))) return;
  mkdirSync(folder, { recursive: true });
  const connection = await (await DuckDBInstance.create(':memory:')).connect();
  const total = 3_000_000;
  await connection.run(`
    create table ordered as
    select row_number() over (order by date, origin, destination, distance, delay) as position,
           hour(date)::double as "hour", isodow(date)::double as "day of week", distance::double as distance,
           origin, destination, delay > 15 as delayed
    from read_parquet('${FLIGHTS}')`);
  for (const column of ['origin', 'destination']) {
    await connection.run(`
      create table kept_${column} as select ${column} as airport from ordered where position <= ${total - TEST_ROWS}
      group by ${column} order by count(*) desc, ${column} limit ${KEPT_AIRPORTS}`);
  }
  const select = `select "hour", "day of week", distance,
      case when origin in (select airport from kept_origin) then origin else '(other)' end as origin,
      case when destination in (select airport from kept_destination) then destination else '(other)' end as destination,
      delayed from ordered`;
  await connection.run(
    `copy (${select} where position > ${total - TEST_ROWS} order by position) to '${join(folder, 'test.parquet')}' (format parquet)`,
  );
  for (const [size, rows] of Object.entries(SIZES)) {
    await connection.run(
      `copy (${select} where position <= ${rows} order by position) to '${join(folder, `train-${size}.parquet`)}' (format parquet)`,
    );
  }
}

async function readFrame(path: string): Promise<Frame> {
  const connection = await (await DuckDBInstance.create(':memory:')).connect();
  return frameFromDuckDBStream(await connection.stream(`select * from read_parquet('${path}')`));
}

/** Our side, in a child process: fit, batch predict, metrics, row-wise latency, peak RSS. */
async function runOurs(model: ModelKey, trainPath: string, testPath: string): Promise<Result> {
  const train = await readFrame(trainPath);
  const test = await readFrame(testPath);
  const trainer: TrainerName = MODELS[model];
  const params =
    model === 'logistic'
      ? { C: 1, tolerance: 1e-4, maxIterations: 100 }
      : { nEstimators: 100, maxLeaves: 31, learningRate: 0.1, minSamplesLeaf: 20, l2: 0, maxBins: 255 };
  let start = performance.now();
  const cpuBefore = process.cpuUsage();
  const document = trainModel({ frame: train, target: 'delayed', trainer, params, seed: 0 });
  const fitSeconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const fitCpuSeconds = (cpu.user + cpu.system) / 1e6;
  const loaded = loadModelDocument(document);
  start = performance.now();
  const predictions = predictFrame(loaded, test);
  const predictSeconds = (performance.now() - start) / 1000;
  if (predictions.task !== 'binary') throw new Error('expected a binary model');
  const delayed = test.columns.find((column) => column.name === 'delayed');
  if (delayed?.kind !== 'numeric') throw new Error('delayed should be a boolean column');
  const actual = Int32Array.from(delayed.values);
  const roc = binaryRocCurve(
    actual,
    predictions.probabilities.filter((_, index) => index % 2 === 1),
  );
  // Peak RSS of loading, training and batch scoring, before the row-wise records are built.
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  return {
    fitSeconds,
    fitCpuSeconds,
    predictSeconds,
    auc: roc.defined ? roc.auc : NaN,
    logLoss: logLoss(actual, predictions.probabilities, 2),
    iterations: document.training.iterations,
    rowMicros: rowLatencyMicros(loaded, test),
    peakRssMb,
  };
}

/** Microseconds per predictRowInto call over the test rows as serving would receive them. */
function rowLatencyMicros(model: ReturnType<typeof loadModelDocument>, test: Frame): number {
  const records = Array.from({ length: test.rowCount }, (_, row) => {
    const record: Record<string, unknown> = {};
    for (const column of test.columns) {
      record[column.name] =
        column.kind === 'numeric' ? column.values[row] : column.dictionary[column.codes[row]];
    }
    return record;
  });
  const probabilities = new Float64Array(2);
  for (let row = 0; row < 10_000; row += 1) predictRowInto(model, records[row], probabilities);
  const start = performance.now();
  for (const record of records) predictRowInto(model, record, probabilities);
  return ((performance.now() - start) * 1000) / records.length;
}

/** One fit in a fresh process; a failure is reported in the table rather than ending the run. */
function runChild(command: string, args: string[], failures: string[]): Result[] {
  try {
    const output = execFileSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 24, stdio: 'pipe' });
    return [JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as Result];
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    failures.push(stderr.split('\n').find((line) => line.trim() !== '') ?? 'failed');
    return [];
  }
}

/** Medians over repeated runs (timings are noisy on a shared machine; quality metrics are not). */
function medianResult(results: Result[]): Result {
  const result = { ...results[0] };
  for (const key of ['fitSeconds', 'fitCpuSeconds', 'predictSeconds', 'peakRssMb', 'rowMicros'] as const) {
    if (result[key] !== null) result[key] = median(results.map((run) => run[key] ?? NaN));
  }
  return result;
}

const HEADER =
  'size|model|side|fit s|fit CPU s|predict 100k s|peak RSS MB|AUC|log loss|iterations|row µs|fit ratio|fit CPU ratio|predict ratio|RSS ratio|AUC - sklearn';

function tableRow(size: string, model: string, side: string, result: Result, reference?: Result): string[] {
  const ratio = (ours: number, theirs: number) => `${(ours / theirs).toFixed(2)}x`;
  const comparison = reference
    ? [
        ratio(result.fitSeconds, reference.fitSeconds),
        ratio(result.fitCpuSeconds, reference.fitCpuSeconds),
        ratio(result.predictSeconds, reference.predictSeconds),
        ratio(result.peakRssMb, reference.peakRssMb),
        (result.auc - reference.auc).toFixed(4),
      ]
    : ['', '', '', '', ''];
  return [
    size,
    model,
    side,
    result.fitSeconds.toFixed(2),
    result.fitCpuSeconds.toFixed(2),
    result.predictSeconds.toFixed(3),
    result.peakRssMb.toFixed(0),
    result.auc.toFixed(4),
    result.logLoss.toFixed(4),
    String(result.iterations),
    result.rowMicros?.toFixed(2) ?? '-',
    ...comparison,
  ];
}

async function main(): Promise<void> {
  const folder = join(tmpdir(), 'mlops-ml-vs-sklearn');
  await prepareData(folder);
  const python = sklearnPython(option('python', '') || undefined);
  const sizes = option('sizes', '1m,3m').split(',');
  const models = option('models', 'logistic,boosting').split(',') as ModelKey[];
  const repeat = Number(option('repeat', '1'));
  const loadBefore = loadavg()[0];
  const rows: string[][] = [];
  const testPath = join(folder, 'test.parquet');
  for (const size of sizes) {
    for (const model of models) {
      const trainPath = join(folder, `train-${size}.parquet`);
      const ours: Result[] = [];
      const theirs: Result[] = [];
      const failures: string[] = [];
      // Alternate the two sides so both see the same machine load, on average.
      for (let round = 0; round < repeat; round += 1) {
        const self = fileURLToPath(import.meta.url);
        const oursArgs = ['--import', 'tsx', self, '--child', model, trainPath, testPath];
        ours.push(...runChild(process.execPath, oursArgs, failures));
        const script = join(here, 'sklearn_bench.py');
        const theirsArgs = [script, '--model', model, '--train', trainPath, '--test', testPath];
        theirs.push(...runChild(python, theirsArgs, failures));
      }
      if (ours.length > 0 && theirs.length > 0) {
        const [oursMedian, theirsMedian] = [medianResult(ours), medianResult(theirs)];
        rows.push(
          tableRow(size, model, 'ours', oursMedian, theirsMedian),
          tableRow(size, model, 'sklearn', theirsMedian),
        );
      }
      console.log(
        `${size} ${model}: ${ours.length} + ${theirs.length} runs${failures.map((line) => `; failed: ${line}`).join('')}`,
      );
    }
  }
  printTable('logistic regression and gradient boosting vs scikit-learn (flights)', HEADER.split('|'), rows);
  const loadAfter = loadavg()[0];
  console.log(
    `\nload average (1 min): ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after; medians of ${repeat} run(s)`,
  );
}

if (process.argv[2] === '--child') {
  const [, , , model, trainPath, testPath] = process.argv;
  runOurs(model as ModelKey, trainPath, testPath)
    .then((result) => console.log(JSON.stringify(result)))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
