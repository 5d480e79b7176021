// A command trainer against the code it runs, and against our own trainer, in the same run on the
// same data: flights (hour, day of week, distance), 1M training rows, 100 trees, 31 leaves, 255
// bins, learning rate 0.1, 2 threads, no early stopping. Sides:
//  - the LightGBM example (examples/trainers/lightgbm) as the pipeline's train stage: process
//    start, the Python environment (built before timing), Parquet export and read, fit, ONNX export;
//  - the script a user would write instead (read the train part, fit, convert with onnxmltools,
//    write model.onnx) in a plain Python process of the same environment;
//  - the built-in gradient_boosting trainer's train stage.
// Then ONNX serving against the built-in model on the same server: single-row predictions/s and
// p99 with wrk (apt-get install -y wrk). Goals: train stage <= 1.15x the user's script, AUC equal
// within 0.001; ONNX serving >= 0.5x the built-in model's throughput.
//   npm run bench:trainers [-- --rows=1000000 --rounds=3 --duration=20 --only=lightgbm]
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { baseEnvironment } from '../../activities/trainers/base-environment.js';
import { pythonEnvironment } from '../../activities/trainers/python-environment.js';
import { startPipeline } from '../../client/pipeline.js';
import { packageTrainerCode } from '../../client/trainer-code.js';
import type { PipelineResult } from '../../contracts/pipeline.js';
import { exportPartParquet } from '../../data/index.js';
import { createApiToken } from '../../db/queries/api-tokens.js';
import { changeServing } from '../../db/queries/deployments.js';
import { parseSpec } from '../../spec/parse.js';
import type { PipelineSpec } from '../../spec/types.js';
import { runWrk } from './serving-load.js';
import { startOurServer } from './serving-server.js';
import { startBenchPlatform } from './bench-platform.js';
import { median, printTable } from './table.js';

const flag = (name: string) =>
  process.argv.find((argument) => argument.startsWith(`--${name}=`))?.split('=')[1];
const trainRows = Number(flag('rows') ?? 1_000_000);
const duration = Number(flag('duration') ?? 20);
// --only=lightgbm: the command trainer and the user's script alone (no built-in side, no serving).
const only = flag('only');
const rounds = Number(flag('rounds') ?? 3);
const FOLDER = 'examples/trainers/lightgbm';
const PARAMS = {
  n_estimators: 100,
  num_leaves: 31,
  learning_rate: 0.1,
  max_bin: 255,
  min_child_samples: 20,
  n_jobs: 2,
};
const BUILT_IN = {
  nEstimators: 100,
  maxLeaves: 31,
  learningRate: 0.1,
  maxBins: 255,
  minSamplesLeaf: 20,
  l2: 0,
  threads: 2,
};

const { config, stack, store, database, client, stageRuns, stop } = await startBenchPlatform('trainers');
const scratch = await mkdtemp(path.join(tmpdir(), 'mlops-bench-trainers-'));

try {
  const example = parse(await readFile(`${FOLDER}/spec.yaml`, 'utf8')) as Record<
    string,
    Record<string, unknown>
  >;
  // A random split of a seeded sample: 80% of it trains.
  const sampled = Math.round(trainRows / 0.8);
  const base = {
    ...example,
    dataset: {
      ...example.dataset,
      query: `select hour("date") as hour, dayofweek("date") as day_of_week, distance, delay > 15 as delayed from (select * from data where delay is not null using sample reservoir(${sampled} rows) repeatable (7))`,
    },
    features: ['hour', 'day_of_week', 'distance'],
    split: { strategy: 'random', testFraction: 0.1, validationFraction: 0.1, seed: 42 },
    evaluation: { primaryMetric: 'auc', gates: [] },
    deploy: { promote: false },
  };
  const commandSpec = await packageTrainerCode(
    parseSpec({ ...base, name: 'bench-lightgbm', train: { ...example.train, params: PARAMS } }),
    FOLDER,
    store,
  );
  const builtInSpec = parseSpec({
    ...base,
    name: 'bench-builtin-gbdt',
    train: { trainer: 'gradient_boosting', params: BUILT_IN },
  });

  // Built before anything is timed: a worker builds it once and reuses it.
  const requirements = (commandSpec.train.python?.requirements ?? []).join('\n');
  const environment = await pythonEnvironment(requirements, {
    log: () => undefined,
    signal: new AbortController().signal,
  });

  // The sides alternate, round after round, and the medians are compared: this machine's speed
  // drifts by 10% from one minute to the next.
  const commands: Awaited<ReturnType<typeof run>>[] = [];
  const builtIns: Awaited<ReturnType<typeof run>>[] = [];
  const scripts: Awaited<ReturnType<typeof userScript>>[] = [];
  const byHand: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    commands.push(await run(commandSpec));
    if (round === 0) await exportParts(commands[0].result);
    scripts.push(await userScript(environment.binDirectory));
    byHand.push(await exampleByHand(environment.binDirectory));
    if (only !== 'lightgbm') builtIns.push(await run(builtInSpec));
  }
  const command = commands[0];
  const script = median(scripts.map((side) => side.scriptSeconds));
  const row = (side: string, values: number[], auc: string) => [
    side,
    median(values).toFixed(2),
    ratio(median(values), script),
    values.map((value) => value.toFixed(2)).join(' '),
    auc,
  ];
  printTable(
    `Training on ${command.trainRows.toLocaleString()} flights, 2 threads each, medians of ${rounds} alternated rounds (load ${loadavg()[0].toFixed(2)})`,
    ['side', 'train s', 'ratio', 'rounds', 'test AUC'],
    [
      row(
        'LightGBM, the script a user would write',
        scripts.map((side) => side.scriptSeconds),
        scripts[0].auc.toFixed(4),
      ),
      row(
        '  of which the fit',
        scripts.map((side) => side.fitSeconds),
        '',
      ),
      row("the example's train.py by hand, same files", byHand, ''),
      row(
        'LightGBM command trainer, train stage',
        commands.map((side) => side.trainSeconds),
        fixed(command.result.metrics.auc),
      ),
      ...(builtIns.length > 0
        ? [
            row(
              'built-in gradient_boosting, train stage',
              builtIns.map((side) => side.trainSeconds),
              fixed(builtIns[0].result.metrics.auc),
            ),
          ]
        : []),
    ],
  );
  console.log(
    `AUC difference, command trainer vs the user's script: ${Math.abs((command.result.metrics.auc ?? 0) - scripts[0].auc).toExponential(2)}`,
  );
  console.log(
    `The command trainer's stage (round 1), from its log:\n  ${(await platformLines(command.result)).join('\n  ')}`,
  );
  if (builtIns.length > 0) await serving(command.result, builtIns[0].result);
} finally {
  await rm(scratch, { recursive: true, force: true });
  await stop();
}

async function run(
  spec: PipelineSpec,
): Promise<{ result: PipelineResult; trainSeconds: number; trainRows: number }> {
  const started = await startPipeline(client.temporal, spec, {
    taskQueues: config.taskQueues,
    noCache: true,
    trigger: 'benchmark',
  });
  const result = await started.result();
  if (result.status === 'failed') throw new Error(`${spec.name} failed: ${result.error?.message}`);
  const stages = await stageRuns(started.workflowId);
  const train = stages.find((stage) => stage.stage === 'train')!;
  const split = stages.find((stage) => stage.stage === 'split')!.outputs as { counts: { train: number } };
  return { result, trainSeconds: (train.durationMs ?? 0) / 1000, trainRows: split.counts.train };
}

/** The run's train, validation and test parts, as the stage exports them, for the sides run by hand. */
async function exportParts(result: PipelineResult): Promise<void> {
  const stages = await stageRuns(result.workflowId);
  const inputs = stages.find((stage) => stage.stage === 'train')!.inputs as {
    dataset: { uri: string };
    split: { uri: string };
  };
  const snapshotPath = path.join(scratch, 'snapshot.parquet');
  await writeFile(snapshotPath, await store.getBuffer(store.keyOf(inputs.dataset.uri), 4 * 1024 ** 3));
  const definition = JSON.parse((await store.getBuffer(store.keyOf(inputs.split.uri))).toString('utf8'));
  const columns = ['hour', 'day_of_week', 'distance', 'delayed'];
  for (const part of ['train', 'validation', 'test'] as const)
    await exportPartParquet({
      snapshotPath,
      definition,
      part,
      columns,
      outputPath: path.join(scratch, `${part}.parquet`),
    });
}

/**
 * The script a user would write instead, on the run's own train part (exportParts), in a plain
 * Python process of the same environment: start, import, read the Parquet, fit, convert with
 * onnxmltools, write the ONNX file (and LightGBM's own model file), exit. Timed from the spawn to
 * the exit, as the stage's trainer is.
 */
async function userScript(binDirectory: string) {
  const script = `
import json, sys, time
import lightgbm, numpy as np, pyarrow.parquet as pq
from onnxmltools import convert_lightgbm
from onnxmltools.convert.common.data_types import FloatTensorType
features = ["hour", "day_of_week", "distance"]
table = pq.read_table(sys.argv[1] + "/train.parquet")
x = np.column_stack([table.column(c).to_numpy(zero_copy_only=False).astype(np.float32) for c in features])
y = table.column("delayed").to_numpy(zero_copy_only=False).astype(np.int64)
model = lightgbm.LGBMClassifier(**json.loads(sys.argv[2]), random_state=42, deterministic=True, force_row_wise=True, verbose=-1)
fit_start = time.perf_counter()
model.fit(x, y)
print(json.dumps({"fit": time.perf_counter() - fit_start}))
onnx = convert_lightgbm(model, initial_types=[("input", FloatTensorType([None, len(features)]))], zipmap=False, target_opset=15)
with open(sys.argv[1] + "/bare.onnx", "wb") as file:
    file.write(onnx.SerializeToString())
model.booster_.save_model(sys.argv[1] + "/bare.txt")
`;
  // Its test AUC, in a process of its own after the timed one has exited.
  const scoring = `
import json, sys
import lightgbm, numpy as np, pyarrow.parquet as pq
table = pq.read_table(sys.argv[1] + "/test.parquet")
x = np.column_stack([table.column(c).to_numpy(zero_copy_only=False).astype(np.float32) for c in ["hour", "day_of_week", "distance"]])
y = table.column("delayed").to_numpy(zero_copy_only=False).astype(np.int64)
p = lightgbm.Booster(model_file=sys.argv[1] + "/bare.txt").predict(x)
order = np.argsort(p, kind="mergesort"); ranks = np.empty(len(p)); ranks[order] = np.arange(1, len(p) + 1)
positives = y.sum()
print((ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * (len(y) - positives)))
`;
  const python = path.join(binDirectory, 'python');
  const spawned = Date.now();
  const output = execFileSync(python, ['-c', script, scratch, JSON.stringify(PARAMS)], {
    encoding: 'utf8',
  });
  const scriptSeconds = (Date.now() - spawned) / 1000;
  const { fit } = JSON.parse(output.trim().split('\n').at(-1)!) as { fit: number };
  const auc = Number(execFileSync(python, ['-c', scoring, scratch], { encoding: 'utf8' }).trim());
  return { fitSeconds: fit, scriptSeconds, auc };
}

/**
 * The example trainer run as a plain process on the exported parts, with the contract's variables
 * set by hand: what the trainer itself costs, so the stage's difference is the platform's.
 */
async function exampleByHand(binDirectory: string): Promise<number> {
  const output = path.join(scratch, 'by-hand');
  await rm(output, { recursive: true, force: true });
  await mkdir(path.join(output, 'checkpoints'), { recursive: true });
  await writeFile(path.join(output, 'params.json'), JSON.stringify(PARAMS));
  const base = baseEnvironment();
  const started = Date.now();
  execFileSync('python3', [path.resolve(FOLDER, 'train.py')], {
    cwd: output,
    stdio: 'ignore',
    env: {
      ...base,
      PATH: `${binDirectory}${path.delimiter}${base.PATH ?? ''}`,
      PYTHONUNBUFFERED: '1',
      MLOPS_TRAIN_PATH: path.join(scratch, 'train.parquet'),
      MLOPS_VALIDATION_PATH: path.join(scratch, 'validation.parquet'),
      MLOPS_TARGET: 'delayed',
      MLOPS_FEATURES: JSON.stringify(['hour', 'day_of_week', 'distance']),
      MLOPS_TASK: 'binary',
      MLOPS_CLASSES: JSON.stringify(['false', 'true']),
      MLOPS_PARAMS_PATH: path.join(output, 'params.json'),
      MLOPS_OUTPUT_DIR: output,
      MLOPS_CHECKPOINT_DIR: path.join(output, 'checkpoints'),
      MLOPS_SEED: '42',
    },
  });
  return (Date.now() - started) / 1000;
}

/** The platform's own lines of the command trainer's log: where the stage's time went. */
async function platformLines(result: PipelineResult): Promise<string[]> {
  const stages = await stageRuns(result.workflowId);
  const { log } = stages.find((stage) => stage.stage === 'train')!.outputs as { log: { uri: string } };
  const text = (await store.getBuffer(store.keyOf(log.uri))).toString('utf8');
  return text.split('\n').filter((line) => line.startsWith('[platform]'));
}

/** Both models on one server: single-row requests, each for `duration` seconds after a warm-up. */
async function serving(onnx: PipelineResult, builtIn: PipelineResult): Promise<void> {
  const { token } = await createApiToken(database.db, {
    name: `bench-${randomUUID().slice(0, 8)}`,
    scopes: ['predict'],
  });
  for (const model of [onnx, builtIn]) {
    // Served as champions directly: a benchmark of serving, not of promotion.
    await changeServing(database.db, {
      modelName: model.model!.name,
      championVersion: model.model!.version,
      challengerVersion: null,
      challengerShare: 0,
      audit: {
        eventKey: `bench-${randomUUID()}`,
        action: 'promote',
        actor: 'benchmark',
        reason: 'serving benchmark',
      },
    });
  }
  const server = await startOurServer(stack.connections, `${onnx.model!.name},${builtIn.model!.name}`);
  try {
    const body = { instances: [{ hour: 17, day_of_week: 5, distance: 740 }] };
    const rows: string[][] = [];
    for (const model of [builtIn, onnx]) {
      const url = `${server.url}/v1/models/${model.model!.name}:predict`;
      await runWrk({ url, body, token, seconds: 3, connections: 8, scratchFolder: scratch });
      const load = await runWrk({
        url,
        body,
        token,
        seconds: duration,
        connections: 8,
        scratchFolder: scratch,
      });
      rows.push([
        model === onnx ? 'ONNX (LightGBM command trainer)' : 'built-in gradient_boosting',
        Math.round(load.requestsPerSecond).toLocaleString(),
        load.p50Ms.toFixed(2),
        load.p99Ms.toFixed(2),
        String(load.failed),
      ]);
    }
    printTable(
      `Serving one row per request, 8 connections, ${duration} s each, logging on`,
      ['model', 'predictions/s', 'p50 ms', 'p99 ms', 'failed'],
      rows,
    );
  } finally {
    await server.stop();
  }
}

function ratio(value: number, base: number): string {
  return `${(value / base).toFixed(2)}x`;
}

function fixed(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : value.toFixed(4);
}
