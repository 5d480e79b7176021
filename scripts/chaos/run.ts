/**
 * The chaos run: real pipelines on an embedded stack of its own, worker processes that are
 * SIGKILLed at random moments and replaced after a delay, the Temporal dev server killed, and
 * PostgreSQL and S3 frozen mid-run. Then the invariants, read from PostgreSQL and S3: every
 * pipeline ends as it would without faults, one model version per pipeline, every stage recorded
 * once, every artifact PostgreSQL references present in S3 with its recorded sha256.
 * `npm run test:chaos` runs the full plan; test/integration/chaos.test.ts a short one in CI.
 */
import { randomUUID } from 'node:crypto';
import { connectClient } from '../../client/connect.js';
import { seededRandom } from '../../contracts/seeded-random.js';
import { startPipeline } from '../../client/pipeline.js';
import { loadConfig } from '../../config/index.js';
import type { PipelineResult } from '../../contracts/pipeline.js';
import { connectDatabase } from '../../db/client.js';
import { migrateDatabase } from '../../db/migrate.js';
import { connectionVariables } from '../../stack/env-file.js';
import { ensureStack } from '../../stack/launcher.js';
import { ArtifactStore } from '../../storage/artifact-store.js';
import { spawnWorker, type WorkerProcess } from '../support/worker-process.js';
import { chaosSpec, type TrainingData } from './specs.js';
import { checkInvariants } from './invariants.js';
import type { ChaosReport } from './report.js';
import { restartTemporal, type FaultKind, type FaultRecord } from './faults.js';
import { runOutages } from './outages.js';
import { stagesRunningOn } from './targets.js';
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
  /** What the built-in pipelines train on, and their boosting rounds (each next one trains 50 more). */
  readonly trainingData: TrainingData;
  readonly rounds: number;
  readonly workerKills: number;
  readonly temporalRestarts: number;
  /** Each a freeze of this many milliseconds, aimed at its stages (scripts/chaos/outages.ts). */
  readonly postgresStops: readonly number[];
  readonly s3Stops: readonly number[];
  /** How long an outage waits for a pipeline to reach the stage it is aimed at. */
  readonly targetWaitSeconds: number;
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
  trainingData: 'flights',
  rounds: 300,
  workerKills: 20,
  temporalRestarts: 1,
  postgresStops: [30_000],
  s3Stops: [30_000],
  targetWaitSeconds: 120,
  faultEverySeconds: [3, 8],
  seed: 1,
  serving: { requestsPerSecond: 50, rowsPerRequest: 8 },
};

export const shortPlan: ChaosPlan = {
  pipelines: 3,
  gpuWorkers: 1,
  commandTrainer: true,
  trainingData: 'penguins',
  rounds: 300,
  workerKills: 4,
  temporalRestarts: 1,
  postgresStops: [5_000],
  s3Stops: [5_000],
  targetWaitSeconds: 60,
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
  let outages: Promise<FaultRecord[]> | undefined;
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
          data: plan.trainingData,
          rounds: plan.rounds + index * 50,
          store,
        }),
      ),
    );
    // The pipelines are submitted inside the first S3 outage (scripts/chaos/outages.ts).
    const outageRun = runOutages(
      {
        home,
        connections: stack.connections,
        db: database.db,
        postgresStops: plan.postgresStops,
        s3Stops: plan.s3Stops,
        targetWaitMs: plan.targetWaitSeconds * 1000,
        startedAt: started,
        log,
      },
      () =>
        Promise.all(
          specs.map((spec) =>
            startPipeline(client.temporal, spec, { taskQueues, noCache: true, trigger: 'chaos' }),
          ),
        ),
      serving?.addCanary,
    );
    outages = outageRun.faults;
    const runs = await outageRun.submitted;
    log(`started ${runs.length} pipelines on ${taskQueue}`);
    const results: (PipelineResult | undefined)[] = new Array(runs.length);
    const finished = Promise.all(
      runs.map((run, index) => run.result().then((result) => (results[index] = result))),
    );
    const workflowIds = runs.map((run) => run.workflowId);

    const kinds: FaultKind[] = [
      ...Array<FaultKind>(plan.workerKills).fill('kill-worker'),
      ...Array<FaultKind>(plan.temporalRestarts).fill('restart-temporal'),
    ].sort(() => draw() - 0.5);
    const faults: FaultRecord[] = [];
    let gpuKills = 0;
    for (const kind of kinds) {
      const [low, high] = plan.faultEverySeconds;
      await new Promise((resolve) => setTimeout(resolve, (low + draw() * (high - low)) * 1000));
      // Faults go on after the pipelines end too: a kill during registration or the report counts.
      let atMs = performance.now() - started;
      let recoveryMs = 0;
      let stages: string[] = [];
      if (kind === 'kill-worker') {
        const victim = workers.splice(Math.floor(draw() * workers.length), 1)[0];
        const pool = victim?.pool ?? 'cpu';
        if (victim) {
          // While PostgreSQL is frozen this waits for it: the kill happens then, and is timed then.
          stages = await stagesRunningOn(database.db, workflowIds, victim.child.pid ?? -1);
          atMs = performance.now() - started;
          victim.child.kill('SIGKILL');
          await victim.exited;
          if (pool === 'gpu') gpuKills += 1;
        }
        const delay = 500 + draw() * 2500;
        await new Promise((resolve) => setTimeout(resolve, delay));
        if (!stopping) workers.push(startWorker(pool));
        recoveryMs = delay;
      } else {
        recoveryMs = await restartTemporal(home, stack.connections);
      }
      faults.push({ kind, atMs, recoveryMs, stages });
      log(
        `${kind} at ${(atMs / 1000).toFixed(1)} s, answered again after ${(recoveryMs / 1000).toFixed(1)} s${stages.length ? `; it was running ${stages.join(', ')}` : ''}`,
      );
    }
    faults.push(...(await outages));
    faults.sort((a, b) => a.atMs - b.atMs);
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
    // Whatever went wrong, an outage ends (thawing what it froze) before the stack is stopped.
    await outages?.catch(() => undefined);
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
