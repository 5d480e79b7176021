/**
 * The chaos run: real pipelines on an embedded stack of its own, worker processes that are
 * SIGKILLed at random moments and replaced after a delay, the Temporal dev server killed, and
 * PostgreSQL and S3 frozen mid-run. Then the invariants, read from PostgreSQL and S3: every
 * pipeline ends as it would without faults, one model version per pipeline, every stage recorded
 * once, every artifact PostgreSQL references present in S3 with its recorded sha256.
 * `npm run test:chaos` runs the full plan; test/integration/chaos.test.ts a short one in CI.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { connectClient } from '../../client/connect.js';
import { seededRandom } from '../../contracts/seeded-random.js';
import { startPipeline } from '../../client/pipeline.js';
import { loadConfig } from '../../config/index.js';
import type { PipelineResult } from '../../contracts/pipeline.js';
import { connectDatabase } from '../../db/client.js';
import { migrateDatabase } from '../../db/migrate.js';
import { parseSpec } from '../../spec/parse.js';
import type { PipelineSpec } from '../../spec/types.js';
import { connectionVariables } from '../../stack/env-file.js';
import { ensureStack } from '../../stack/launcher.js';
import { ArtifactStore } from '../../storage/artifact-store.js';
import { spawnWorker, type WorkerProcess } from '../support/worker-process.js';
import { commandTrainerSpec } from './command-spec.js';
import { checkInvariants } from './invariants.js';
import type { ChaosReport } from './report.js';
import { restartTemporal, stopPostgres, stopS3, type FaultKind, type FaultRecord } from './faults.js';
import {
  startChaosServing,
  type ChaosServing,
  type ServingChaosReport,
  type ServingTraffic,
} from './serving.js';

export interface ChaosPlan {
  readonly pipelines: number;
  /**
   * GPU-pool worker processes (MLOPS_GPUS=1: the pool's code on this machine's CPU); with any,
   * every second pipeline trains there and kills draw from them too.
   */
  readonly gpuWorkers: number;
  /** Whether the first pipeline trains with a command trainer (the stand-in, in Python). */
  readonly commandTrainer: boolean;
  readonly workerKills: number;
  readonly temporalRestarts: number;
  /** Each a freeze of this many milliseconds. */
  readonly postgresStops: readonly number[];
  readonly s3Stops: readonly number[];
  /** Seconds between faults, drawn uniformly from this range. */
  readonly faultEverySeconds: readonly [number, number];
  readonly seed: number;
  /** Prediction traffic to a served model for the whole run; the first S3 freeze adds a canary. */
  readonly serving?: ServingTraffic;
}

export const fullPlan: ChaosPlan = {
  pipelines: 12,
  gpuWorkers: 1,
  commandTrainer: true,
  workerKills: 20,
  temporalRestarts: 1,
  postgresStops: [30_000],
  s3Stops: [30_000],
  faultEverySeconds: [3, 8],
  seed: 1,
  serving: { requestsPerSecond: 50, rowsPerRequest: 8 },
};

export const shortPlan: ChaosPlan = {
  pipelines: 3,
  gpuWorkers: 1,
  commandTrainer: true,
  workerKills: 4,
  temporalRestarts: 1,
  postgresStops: [5_000],
  s3Stops: [5_000],
  faultEverySeconds: [2, 4],
  seed: 7,
  serving: { requestsPerSecond: 20, rowsPerRequest: 4 },
};

export async function runChaos(
  plan: ChaosPlan,
  home: string,
  log: (line: string) => void,
): Promise<ChaosReport> {
  const started = performance.now();
  const taskQueue = `chaos-${randomUUID().slice(0, 8)}`;
  const taskQueues = { cpu: taskQueue, gpu: `${taskQueue}-gpu` };
  const config = loadConfig({
    ...process.env,
    MLOPS_HOME: home,
    MLOPS_LOG_LEVEL: 'warn',
    MLOPS_GPUS: 'none',
  });
  const stack = await ensureStack(config, log);
  if (!stack.owned) throw new Error(`the chaos run needs a stack of its own; one already runs under ${home}`);
  const database = connectDatabase(stack.connections.databaseUrl, { maxConnections: 2 });
  const client = await connectClient(config, stack.connections);
  const store = ArtifactStore.fromSettings(stack.connections.s3);
  const workerEnv = {
    ...connectionVariables(stack.connections),
    MLOPS_CPU_TASK_QUEUE: taskQueues.cpu,
    MLOPS_GPU_TASK_QUEUE: taskQueues.gpu,
    MLOPS_GPUS: 'none',
    MLOPS_CHECKPOINT_INTERVAL: '500ms',
    MLOPS_LOG_LEVEL: 'error',
  };
  const workers: WorkerProcess[] = [];
  let serving: ChaosServing | undefined;
  let servingReport: ServingChaosReport | undefined;
  // Seeded, so a failing plan can be rerun as it was.
  const draw = seededRandom(plan.seed);
  let stopping = false;
  let workerExits = 0;
  // Like a process manager (systemd, Kubernetes): a worker that exits on its own is started again.
  // A worker exits when Temporal is unreachable at start or for long; the run counts how often.
  const startWorker = (pool: 'cpu' | 'gpu'): WorkerProcess => {
    const env = pool === 'gpu' ? { ...workerEnv, MLOPS_GPUS: '1' } : workerEnv;
    const worker = spawnWorker(env, home, 'chaos-workers.log', pool);
    void worker.exited.then(() => {
      const index = workers.indexOf(worker);
      if (stopping || index === -1) return;
      workers.splice(index, 1);
      workerExits += 1;
      log(`a worker exited on its own (${workerExits} so far); starting another`);
      setTimeout(() => {
        if (!stopping) workers.push(startWorker(pool));
      }, 1000);
    });
    return worker;
  };
  try {
    await migrateDatabase(database.db);
    const since = new Date();
    for (let index = 0; index < 2; index += 1) workers.push(startWorker('cpu'));
    for (let index = 0; index < plan.gpuWorkers; index += 1) workers.push(startWorker('gpu'));
    if (plan.serving) {
      serving = await startChaosServing({
        temporal: client.temporal,
        database,
        connections: stack.connections,
        taskQueue,
        traffic: plan.serving,
      });
      log(`serving ${plan.serving.requestsPerSecond} requests/s of ${plan.serving.rowsPerRequest} rows`);
    }

    const specs = await Promise.all(
      Array.from({ length: plan.pipelines }, (_, index) =>
        chaosSpec(index, {
          gpu: plan.gpuWorkers > 0 && index % 2 === 1,
          command: plan.commandTrainer && index === 0,
          store,
        }),
      ),
    );
    const runs = await Promise.all(
      specs.map((spec) =>
        startPipeline(client.temporal, spec, { taskQueues, noCache: true, trigger: 'chaos' }),
      ),
    );
    log(`started ${runs.length} pipelines on ${taskQueue}`);
    const results: (PipelineResult | undefined)[] = new Array(runs.length);
    const finished = Promise.all(
      runs.map((run, index) => run.result().then((result) => (results[index] = result))),
    );
    let allDone = false;
    void finished.finally(() => (allDone = true));

    const kinds: FaultKind[] = [
      ...Array<FaultKind>(plan.workerKills).fill('kill-worker'),
      ...Array<FaultKind>(plan.temporalRestarts).fill('restart-temporal'),
      ...plan.postgresStops.map(() => 'stop-postgres' as const),
      ...plan.s3Stops.map(() => 'stop-s3' as const),
    ].sort(() => draw() - 0.5);
    const faults: FaultRecord[] = [];
    let postgresStop = 0;
    let s3Stop = 0;
    let gpuKills = 0;
    for (const kind of kinds) {
      const [low, high] = plan.faultEverySeconds;
      await new Promise((resolve) => setTimeout(resolve, (low + draw() * (high - low)) * 1000));
      // Faults go on after the pipelines end too: a kill during registration or the report counts.
      const atMs = performance.now() - started;
      let recoveryMs = 0;
      if (kind === 'kill-worker') {
        const victim = workers.splice(Math.floor(draw() * workers.length), 1)[0];
        const pool = victim?.pool ?? 'cpu';
        if (victim) {
          victim.child.kill('SIGKILL');
          await victim.exited;
          if (pool === 'gpu') gpuKills += 1;
        }
        const delay = 500 + draw() * 2500;
        await new Promise((resolve) => setTimeout(resolve, delay));
        if (!stopping) workers.push(startWorker(pool));
        recoveryMs = delay;
      } else if (kind === 'restart-temporal') {
        recoveryMs = await restartTemporal(home, stack.connections);
      } else if (kind === 'stop-postgres') {
        recoveryMs = await stopPostgres(home, stack.connections, plan.postgresStops[postgresStop++]);
      } else {
        // The first freeze also adds a canary: the server must load a model from an S3 that hangs.
        const during = s3Stop === 0 ? serving?.addCanary : undefined;
        recoveryMs = await stopS3(home, stack.connections, plan.s3Stops[s3Stop++], during);
      }
      faults.push({ kind, atMs, recoveryMs });
      log(
        `${kind} at ${(atMs / 1000).toFixed(1)} s, answered again after ${(recoveryMs / 1000).toFixed(1)} s`,
      );
      if (allDone && faults.length >= kinds.length) break;
    }
    await withTimeout(finished, 900_000, 'the pipelines to finish');
    servingReport = await serving?.finish();
    return {
      ...(await checkInvariants(
        database.db,
        store,
        since,
        runs.map((run) => run.workflowId),
        results,
      )),
      faults,
      gpuKills,
      workerExits,
      serving: servingReport,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    if (serving && !servingReport) await serving.finish().catch(() => undefined);
    stopping = true;
    for (const worker of workers) worker.child.kill('SIGTERM');
    await Promise.all(workers.map((worker) => worker.exited));
    await client.close();
    await database.close();
    store.client.destroy();
    await stack.stop();
  }
}

/**
 * Penguins with gradient boosting, long enough (hundreds of rounds, checkpoints) to be hit
 * mid-training; on the GPU pool when `gpu`; with the stand-in command trainer when `command`.
 */
async function chaosSpec(
  index: number,
  options: { gpu: boolean; command: boolean; store: ArtifactStore },
): Promise<PipelineSpec> {
  const document = parse(readFileSync(path.resolve('examples/penguins.yaml'), 'utf8')) as Record<
    string,
    unknown
  >;
  const name = `chaos-${index}-${randomUUID().slice(0, 6)}`;
  if (options.command) return commandTrainerSpec(document, name, options.store);
  return parseSpec({
    ...document,
    name,
    train: {
      trainer: 'gradient_boosting',
      params: { nEstimators: 300 + index * 50, learningRate: 0.03, maxLeaves: 8, minSamplesLeaf: 5 },
      ...(options.gpu ? { resources: { gpu: 1 } } : {}),
    },
    evaluation: { primaryMetric: 'accuracy', gates: [{ metric: 'accuracy', min: 0.8 }] },
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s waiting for ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
