import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, type PlatformClient } from '../../client/connect.js';
import { startPipeline, type PipelineRun } from '../../client/pipeline.js';
import type { Connections } from '../../config/connections.js';
import { loadConfig } from '../../config/index.js';
import { connectDatabase, type DatabaseHandle } from '../../db/client.js';
import { lineageEdges, pipelineRuns, stageRuns } from '../../db/schema.js';
import type { PipelineSpec } from '../../spec/types.js';
import { waitUntil } from '../../stack/processes.js';
import { canMakeHosts, makeHosts, removeHosts, sourcedVariables, type TestHost } from '../support/hosts.js';
import { killableTrainingSpec } from '../support/pipeline.js';
import type { SpawnedCommand } from '../support/processes.js';
import { trainingHeartbeat } from '../support/worker-processes.js';

/**
 * Workers on other hosts (README "Scale out"): three hosts made of network namespaces. The stack
 * runs on A (`mlops up --listen 10.77.0.1`), CPU workers on B and C join it with nothing but the
 * worker.env it wrote; the test's client, on this machine's own namespace, uses that file too.
 */
describe.skipIf(!canMakeHosts())('workers on other hosts', () => {
  const home = path.resolve('.mlops/test-hosts');
  const taskQueue = `hosts-${randomUUID().slice(0, 8)}`;
  const processes: SpawnedCommand[] = [];
  let hosts: { a: TestHost; b: TestHost; c: TestHost };
  let workerEnv: Record<string, string>;
  let client: PlatformClient;
  let database: DatabaseHandle;

  beforeAll(async () => {
    await rm(home, { recursive: true, force: true });
    const [a, b, c] = makeHosts(['host-a', 'host-b', 'host-c']);
    hosts = { a, b, c };
    const up = a.mlops(['up', '--listen', a.address, '--json'], {
      MLOPS_HOME: path.join(home, 'stack'),
      MLOPS_GPUS: 'none',
    });
    processes.push(up);
    const summary = (await up.json) as { listening: { workerEnvFile: string; temporal: string } };
    expect(summary.listening.temporal).toMatch(/^10\.77\.0\.1:\d+$/);
    workerEnv = sourcedVariables(summary.listening.workerEnvFile);
    const config = loadConfig(workerEnv);
    const connections: Connections = {
      temporal: {
        address: workerEnv.TEMPORAL_ADDRESS,
        namespace: workerEnv.TEMPORAL_NAMESPACE,
        uiUrl: undefined,
      },
      databaseUrl: workerEnv.DATABASE_URL,
      s3: {
        endpoint: workerEnv.S3_ENDPOINT,
        bucket: workerEnv.S3_BUCKET,
        region: workerEnv.S3_REGION,
        forcePathStyle: true,
      },
    };
    client = await connectClient(config, connections);
    database = connectDatabase(workerEnv.DATABASE_URL, { maxConnections: 2 });
  }, 180_000);

  afterAll(async () => {
    await client?.close();
    await database?.close();
    for (const spawned of processes) if (spawned.child.exitCode === null) spawned.child.kill('SIGTERM');
    await Promise.all(
      processes.map((spawned) => Promise.race([spawned.exited, new Promise((r) => setTimeout(r, 20_000))])),
    );
    removeHosts();
  }, 60_000);

  const worker = (host: TestHost) => {
    const spawned = host.mlops(['worker', '--pool', 'cpu'], {
      ...workerEnv,
      MLOPS_HOME: path.join(home, host.name, 'state'),
      MLOPS_CPU_TASK_QUEUE: taskQueue,
      MLOPS_GPUS: 'none',
      MLOPS_CHECKPOINT_INTERVAL: '500ms',
    });
    processes.push(spawned);
    return spawned;
  };
  const start = (spec: PipelineSpec) =>
    startPipeline(client.temporal, spec, {
      taskQueues: { cpu: taskQueue, gpu: taskQueue },
      noCache: true,
      trigger: 'test',
    });

  /** stage → the host that ran its last attempt (the first part of `host/pool/pid`), printed. */
  async function hostsOfStages(run: PipelineRun, title: string) {
    const [pipelineRun] = await database.db
      .select()
      .from(pipelineRuns)
      .where(eq(pipelineRuns.workflowId, run.workflowId));
    const stages = await database.db
      .select()
      .from(stageRuns)
      .where(eq(stageRuns.pipelineRunId, pipelineRun.id));
    const byStage = Object.fromEntries(
      stages.map((stage) => [stage.stage, stage.workerIdentity?.split('/')[0] ?? '']),
    );
    console.log(
      `${title}\n${stages.map((stage) => `  ${stage.stage.padEnd(12)} ${stage.workerIdentity} (attempt ${stage.attempt})`).join('\n')}`,
    );
    expect(new Set(stages.map((stage) => stage.stage)).size).toBe(stages.length);
    return { byStage, stages };
  }

  const scheduled = async (run: PipelineRun, activity: string) =>
    (await run.handle.fetchHistory()).events?.filter(
      (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === activity,
    ).length ?? 0;

  it(
    'stages the data again on host C when host B, which held it, drops off the network',
    { timeout: 300_000 },
    async () => {
      // A slow link from B (the de-identified snapshot goes up to S3 on A through it) keeps the
      // de-identify stage on B long enough to cut B off midway.
      hosts.b.throttle(1000);
      const onB = worker(hosts.b);
      const run = await start(
        killableTrainingSpec({ train: { trainer: 'gradient_boosting', params: { nEstimators: 200 } } }),
      );
      const cutDuring = await waitUntil(
        'a stage on the data staged on host B',
        async () =>
          (await run.handle.describe()).raw.pendingActivities
            ?.map((activity) => activity.activityType?.name ?? '')
            .find((name) => ['validateStage', 'deidentifyStage'].includes(name)),
        { timeoutMs: 120_000, intervalMs: 50 },
      );
      const cutAt = Date.now();
      hosts.b.disconnect();
      onB.child.kill('SIGKILL');
      await onB.exited;
      const onC = worker(hosts.c);
      const result = await run.result();
      expect(result.status).toBe('succeeded');
      const { byStage } = await hostsOfStages(
        run,
        `host B cut off during ${cutDuring}; the run succeeded ${((Date.now() - cutAt) / 1000).toFixed(1)} s later:`,
      );
      for (const stage of ['ingest', 'validate', 'deidentify', 'train'])
        expect(byStage[stage]).toBe('host-c');
      expect(await scheduled(run, 'ingestStage')).toBeGreaterThanOrEqual(2);
      onC.child.kill('SIGTERM');
      await onC.exited;
      hosts.b.throttle(0);
      hosts.b.reconnect();
    },
  );

  it(
    'resumes training on host C from the checkpoint host B stored when B’s worker is killed mid-training',
    { timeout: 300_000 },
    async () => {
      const onB = worker(hosts.b);
      const run = await start(killableTrainingSpec());
      const checkpointed = await trainingHeartbeat<{ iteration: number; checkpoint: unknown }>(
        run,
        'a training checkpoint on host B',
        (beat) => Boolean(beat.checkpoint) && beat.iteration >= 20,
      );
      const onC = worker(hosts.c);
      onB.child.kill('SIGKILL');
      const killedAt = Date.now();
      await onB.exited;
      const result = await run.result();
      expect(result.status).toBe('succeeded');
      const { byStage, stages } = await hostsOfStages(
        run,
        `host B's worker killed at training round ${checkpointed.iteration}; the run succeeded ${((Date.now() - killedAt) / 1000).toFixed(1)} s later:`,
      );
      expect(byStage.ingest).toBe('host-b');
      expect(byStage.train).toBe('host-c');
      const train = stages.find((stage) => stage.stage === 'train');
      expect(train?.attempt).toBe(2);
      const outputs = train?.outputs as { resumedFromIteration: number | null };
      expect(outputs.resumedFromIteration).toBeGreaterThanOrEqual(20);
      expect(outputs.resumedFromIteration).toBeLessThanOrEqual(checkpointed.iteration);
      expect(result.model?.version).toBe(1);
      const edges = await database.db
        .select()
        .from(lineageEdges)
        .where(eq(lineageEdges.toKind, 'model_version'));
      const keys = edges.map((edge) => `${edge.fromKind}:${edge.fromId}->${edge.toId}:${edge.relation}`);
      expect(new Set(keys).size).toBe(keys.length);
      onC.child.kill('SIGTERM');
      await onC.exited;
    },
  );

  it('refuses Temporal on the listen address without the stack’s client certificate', async () => {
    const {
      TEMPORAL_TLS_CLIENT_CERT_DATA: _cert,
      TEMPORAL_TLS_CLIENT_KEY_DATA: _key,
      ...withoutCertificate
    } = workerEnv;
    const doctor = hosts.c.mlops(['doctor', '--json'], {
      ...withoutCertificate,
      MLOPS_HOME: path.join(home, 'host-c', 'doctor'),
    });
    const report = (await doctor.json) as { temporal: { healthy: boolean }; postgres: { healthy: boolean } };
    expect(report.temporal.healthy).toBe(false);
    expect(report.postgres.healthy).toBe(true);
  }, 90_000);
});
