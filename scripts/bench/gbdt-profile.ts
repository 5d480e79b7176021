/**
 * Gradient boosting on flights-3m.parquet, ours vs scikit-learn's HistGradientBoostingClassifier,
 * side by side: fit time (wall and CPU), predict time for 100k rows (batch; ours also row by row),
 * peak RSS, holdout AUC and log loss.
 *
 *   node --import tsx scripts/bench/gbdt-profile.ts [--sizes 1m,2m,3m] [--repeat 1] [--threads N]
 *        [--python path/to/python] [--sklearn-threads N] [--only ours]
 *   (--prepare FOLDER --size 1m writes the arrays; --child FOLDER fits ours on them, e.g. under --cpu-prof)
 *
 * Features: hour of day, day of week, distance (numeric), origin, destination (categorical);
 * target: delay > 15 minutes. Rows in time order; 1m trains on the first million rows and 2m on
 * January-April, both tested on May-June; 3m trains on all rows, so its AUC is in-sample.
 * scikit-learn caps categories at max_bins (255): each side's codes come from training frequency,
 * the 254 most frequent keep their own code and rarer ones share one "other" code (flights has
 * about 230 airports, so none is merged); airports unseen in training are missing values.
 * Each side runs in a fresh child process reading the same prepared arrays, so peak RSS is its own
 * (the arrays are prepared in a child too: a child forked from a large parent inherits its peak).
 * Without --python the scikit-learn side lives in scripts/bench/.venv, created on first use.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_GRADIENT_BOOSTING_PARAMS,
  fitGradientBoosting,
  predictGradientBoostingColumns,
  predictGradientBoostingRow,
  type GradientBoostingFeature,
} from '../../ml/gbdt/index.js';
import { binaryRocCurve } from '../../ml/metrics/index.js';
import { sklearnPython } from './sklearn-python.js';

const PARAMS = { iterations: 100, learningRate: 0.1, maxLeaves: 31, minSamplesLeaf: 20, l2: 0, maxBins: 255 };
const FEATURES = ['hour', 'weekday', 'distance', 'origin', 'destination'];
const CATEGORICAL = [3, 4];
const MAX_CATEGORY_CODES = 254;
const PREDICT_ROWS = 100_000;
const here = dirname(fileURLToPath(import.meta.url));
const self = ['--import', 'tsx', fileURLToPath(import.meta.url)];

interface Result {
  fitSeconds: number;
  fitCpuSeconds: number;
  predictSeconds: number;
  rowMicros: number | null;
  peakRssMb: number;
  auc: number;
  logLoss: number;
}

const SKLEARN = `
import json, resource, sys, time
import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import log_loss, roc_auc_score
folder, params = sys.argv[1], json.loads(sys.argv[2])
meta = json.load(open(folder + "/meta.json"))
load = lambda name: np.fromfile(folder + "/" + name, dtype=np.float64)
Xtr, ytr = load("trainX").reshape(-1, meta["trainRows"]).T, load("trainY")
Xte, yte = load("testX").reshape(-1, meta["testRows"]).T, load("testY")
model = HistGradientBoostingClassifier(max_iter=params["iterations"], learning_rate=params["learningRate"],
    max_leaf_nodes=params["maxLeaves"], max_depth=None, min_samples_leaf=params["minSamplesLeaf"],
    l2_regularization=params["l2"], max_bins=params["maxBins"], categorical_features=meta["categorical"],
    early_stopping=False, random_state=0)
wall, cpu = time.perf_counter(), time.process_time()
model.fit(Xtr, ytr)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
start = time.perf_counter(); model.predict_proba(Xte[:${PREDICT_ROWS}]); predict = time.perf_counter() - start
p = model.predict_proba(Xte)[:, 1]
print(json.dumps({"fitSeconds": wall, "fitCpuSeconds": cpu, "predictSeconds": predict, "rowMicros": None,
    "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "auc": roc_auc_score(yte, p), "logLoss": log_loss(yte, p)}))
`;

async function prepare(size: string, folder: string): Promise<{ trainRows: number; testRows: number }> {
  // Loaded here only: with @duckdb/node-api in the process, our fit measured about 25% more CPU.
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const connection = await (await DuckDBInstance.create(':memory:')).connect();
  const path = join(here, '../../node_modules/vega-datasets/data/flights-3m.parquet');
  const reader = await connection.runAndReadAll(`
    select hour(date)::double, isodow(date)::double, distance::double, origin, destination,
           (delay > 15)::double, date < timestamp '2001-05-01'
    from read_parquet('${path}') order by date, origin, destination, distance, delay`);
  const [hour, weekday, distance, origin, destination, delayed, beforeMay] = reader.getColumnsJS() as [
    number[],
    number[],
    number[],
    string[],
    string[],
    number[],
    boolean[],
  ];
  const total = hour.length;
  const testStart = beforeMay.indexOf(false);
  const trainRows = size === '1m' ? 1_000_000 : size === '2m' ? testStart : total;
  const encode = (values: string[]): Float64Array => {
    const counts = new Map<string, number>();
    for (let row = 0; row < trainRows; row++) counts.set(values[row], (counts.get(values[row]) ?? 0) + 1);
    const ranked = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || (a < b ? -1 : 1));
    const codes = new Map(ranked.map((value, rank) => [value, Math.min(rank, MAX_CATEGORY_CODES)]));
    return Float64Array.from(values, (value) => codes.get(value) ?? NaN);
  };
  const columns: Float64Array[] = [hour, weekday, distance].map((values) => Float64Array.from(values));
  columns.push(encode(origin), encode(destination));
  const write = (name: string, arrays: Float64Array[], from: number, to: number): void => {
    const joined = new Float64Array(arrays.length * (to - from));
    arrays.forEach((array, index) => joined.set(array.subarray(from, to), index * (to - from)));
    writeFileSync(join(folder, name), joined);
  };
  const target = Float64Array.from(delayed);
  write('trainX', columns, 0, trainRows);
  write('trainY', [target], 0, trainRows);
  write('testX', columns, testStart, total);
  write('testY', [target], testStart, total);
  const meta = { trainRows, testRows: total - testStart, categorical: CATEGORICAL };
  writeFileSync(join(folder, 'meta.json'), JSON.stringify(meta));
  return meta;
}

function loadFeatures(folder: string, name: string, rows: number): GradientBoostingFeature[] {
  const all = new Float64Array(readFileSync(join(folder, name)).buffer.slice(0));
  return FEATURES.map((feature, index): GradientBoostingFeature => {
    const values = all.slice(index * rows, (index + 1) * rows);
    if (!CATEGORICAL.includes(index)) return { kind: 'numeric', name: feature, values };
    const codes = Int32Array.from(values, (value) => (value === value ? value : -1));
    return { kind: 'categorical', name: feature, codes, cardinality: MAX_CATEGORY_CODES + 1 };
  });
}

function runOurs(folder: string, threads: number | undefined): Result {
  const meta = JSON.parse(readFileSync(join(folder, 'meta.json'), 'utf8')) as {
    trainRows: number;
    testRows: number;
  };
  const target = (name: string): Float64Array =>
    new Float64Array(readFileSync(join(folder, name)).buffer.slice(0));
  const train = { features: loadFeatures(folder, 'trainX', meta.trainRows), target: target('trainY') };
  const test = { features: loadFeatures(folder, 'testX', meta.testRows), target: target('testY') };
  const cpuBefore = process.cpuUsage();
  let start = performance.now();
  const model = fitGradientBoosting(train, {
    ...DEFAULT_GRADIENT_BOOSTING_PARAMS, // leaf-wise, no depth limit, no subsampling or early stopping
    loss: 'binary_logloss',
    classCount: 2,
    nEstimators: PARAMS.iterations,
    learningRate: PARAMS.learningRate,
    maxLeaves: PARAMS.maxLeaves,
    minSamplesLeaf: PARAMS.minSamplesLeaf,
    l2: PARAMS.l2,
    maxBins: PARAMS.maxBins,
    threads,
  });
  const fitSeconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const head = test.features.map((feature) =>
    feature.kind === 'numeric'
      ? { ...feature, values: feature.values.subarray(0, PREDICT_ROWS) }
      : { ...feature, codes: feature.codes.subarray(0, PREDICT_ROWS) },
  );
  start = performance.now();
  predictGradientBoostingColumns(model, head, new Float64Array(PREDICT_ROWS));
  const predictSeconds = (performance.now() - start) / 1000;
  const row = new Float64Array(FEATURES.length);
  const out = new Float64Array(1);
  start = performance.now();
  for (let index = 0; index < PREDICT_ROWS; index++) {
    test.features.forEach((feature, column) => {
      row[column] = feature.kind === 'numeric' ? feature.values[index] : feature.codes[index];
    });
    predictGradientBoostingRow(model, row, out);
  }
  const rowMicros = ((performance.now() - start) * 1000) / PREDICT_ROWS;
  const scores = new Float64Array(meta.testRows);
  predictGradientBoostingColumns(model, test.features, scores);
  const quality = scoreQuality(scores, test.target);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  return {
    fitSeconds,
    fitCpuSeconds: (cpu.user + cpu.system) / 1e6,
    predictSeconds,
    rowMicros,
    peakRssMb,
    ...quality,
  };
}

/** ROC AUC and log loss of margins. */
function scoreQuality(scores: Float64Array, labels: Float64Array): { auc: number; logLoss: number } {
  let logLoss = 0;
  scores.forEach((score, index) => {
    const margin = labels[index] === 1 ? -score : score;
    logLoss += margin > 0 ? margin + Math.log1p(Math.exp(-margin)) : Math.log1p(Math.exp(margin));
  });
  const roc = binaryRocCurve(labels, scores);
  return { auc: roc.defined ? roc.auc : NaN, logLoss: logLoss / scores.length };
}

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function lastJsonLine<T>(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): T {
  const output = execFileSync(command, args, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(output.trim().split('\n').pop()!) as T;
}

function format(label: string, name: string, result: Result, baseline: Result | null): string {
  const ratio = baseline ? (result.fitSeconds / baseline.fitSeconds).toFixed(2) : '';
  const cells = [result.fitSeconds.toFixed(2), ratio, result.fitCpuSeconds.toFixed(2)];
  cells.push(result.predictSeconds.toFixed(3), result.rowMicros === null ? '-' : result.rowMicros.toFixed(1));
  cells.push(result.peakRssMb.toFixed(0), result.auc.toFixed(4), result.logLoss.toFixed(4));
  return `${label.padEnd(36)} ${name.padEnd(13)} ${cells.map((cell) => cell.padStart(9)).join(' ')}`;
}

async function main(): Promise<void> {
  const prepareFolder = option('prepare');
  if (prepareFolder) return console.log(JSON.stringify(await prepare(option('size') ?? '1m', prepareFolder)));
  const childFolder = option('child');
  const threads = option('threads');
  if (childFolder)
    return console.log(JSON.stringify(runOurs(childFolder, threads ? Number(threads) : undefined)));
  const sizes = (option('sizes') ?? '1m,3m').split(',');
  const onlyOurs = option('only') === 'ours';
  const python = onlyOurs ? '' : sklearnPython(option('python'));
  // scikit-learn's OpenMP threads spin while waiting, which collapses on a busy machine; this
  // pins their number (the default is every core).
  const sklearnThreads = option('sklearn-threads');
  const sklearnEnv = sklearnThreads ? { ...process.env, OMP_NUM_THREADS: sklearnThreads } : process.env;
  const loadBefore = loadavg()[0];
  const rows: string[] = [];
  for (const size of sizes) {
    const folder = mkdtempSync(join(tmpdir(), 'gbdt-bench-'));
    try {
      const meta = lastJsonLine<{ trainRows: number; testRows: number }>(process.execPath, [
        ...[...self, '--prepare', folder, '--size', size],
      ]);
      const label = `${size}: ${meta.trainRows} train, ${meta.testRows} test${size === '3m' ? '*' : ''}`;
      for (let attempt = 0; attempt < Number(option('repeat') ?? '1'); attempt++) {
        // Alternate the two sides so background load on the shared machine hits both alike.
        const threadArgs = threads ? ['--threads', threads] : [];
        const ours = lastJsonLine<Result>(process.execPath, [...self, '--child', folder, ...threadArgs]);
        const theirs = onlyOurs
          ? null
          : lastJsonLine<Result>(python, ['-c', SKLEARN, folder, JSON.stringify(PARAMS)], sklearnEnv);
        rows.push(format(label, 'ours', ours, theirs));
        if (theirs) rows.push(format(label, 'scikit-learn', theirs, null));
        console.error(rows.slice(theirs ? -2 : -1).join('\n'));
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }
  const header = ['fit s', 'x sklearn', 'fit cpu s', 'pred100k s', 'row us', 'peak MB', 'AUC', 'logloss'];
  console.log(
    `\n${'data'.padEnd(36)} ${'model'.padEnd(13)} ${header.map((cell) => cell.padStart(9)).join(' ')}`,
  );
  console.log(rows.join('\n'));
  if (sizes.includes('3m')) console.log('* trains on every row: its AUC and log loss are in-sample');
  console.log(
    `1-minute load average: ${loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after (2 cores)`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
