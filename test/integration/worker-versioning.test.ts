import { randomUUID } from 'node:crypto';
import proto from '@temporalio/proto';
import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import {
  lifecycleStart,
  lifecycleStatusQuery,
  type ModelLifecycleWorkflow,
} from '../../contracts/lifecycle.js';
import {
  smokePipelineWorkflowType,
  smokeWorkflowId,
  type SmokePipelineWorkflow,
} from '../../contracts/smoke.js';
import { pipelineRuns, stageRuns } from '../../db/schema.js';
import { waitUntil } from '../../stack/processes.js';
import type { DeploymentReport } from '../../workers/deployment.js';
import { stackEnvironment } from '../support/platform.js';
import { runMlops } from '../support/processes.js';
import { useWorkerProcesses } from '../support/worker-processes.js';

const { VersioningBehavior } = proto.temporal.api.enums.v1;

describe('rolling worker upgrades with Worker Versioning', () => {
  const deployment = `test-versioning-${randomUUID().slice(0, 8)}`;
  const versioned = { MLOPS_WORKER_DEPLOYMENT: deployment, MLOPS_WORKER_SET_CURRENT: 'true' };
  const harness = useWorkerProcesses('versioning', { ...versioned, MLOPS_SHUTDOWN_GRACE: '5s' });
  const { taskQueue } = harness;

  const describeDeployment = () =>
    harness.client.temporal.workflowService.describeWorkerDeployment({
      namespace: harness.client.temporal.options.namespace,
      deploymentName: deployment,
    });
  const currentBuildIs = (buildId: string) =>
    waitUntil(
      `build ${buildId} to become current`,
      async () => {
        const described = await describeDeployment().catch(() => undefined);
        const routing = described?.workerDeploymentInfo?.routingConfig;
        const settled =
          described?.workerDeploymentInfo?.routingConfigUpdateState !==
          proto.temporal.api.enums.v1.RoutingConfigUpdateState.ROUTING_CONFIG_UPDATE_STATE_IN_PROGRESS;
        return routing?.currentDeploymentVersion?.buildId === buildId && settled ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
  const startSmoke = (minFoldDurationMs: number) =>
    harness.client.temporal.workflow.start<SmokePipelineWorkflow>(smokePipelineWorkflowType, {
      workflowId: smokeWorkflowId(randomUUID()),
      taskQueue,
      args: [
        {
          taskQueues: { cpu: taskQueue, gpu: taskQueue },
          useGpu: false,
          rows: 200,
          folds: 1,
          seed: 7,
          minFoldDurationMs,
        },
      ],
    });
  /** The build ids of the workers that completed each of the run's workflow tasks. */
  const workflowTaskBuilds = async (handle: WorkflowHandle) => {
    const history = await handle.fetchHistory();
    return (history.events ?? [])
      .map((event) => event.workflowTaskCompletedEventAttributes)
      .filter((completed) => completed !== null && completed !== undefined)
      .map((completed) => completed.deploymentVersion?.buildId ?? null);
  };

  it('finishes a run in flight on the build that started it, starts new runs on the new current build and moves the lifecycle workflow to it', async () => {
    const build1 = harness.startWorker({ MLOPS_CODE_VERSION: 'b1' });
    await currentBuildIs('b1');
    const first = await startSmoke(20_000);
    const fold = await waitUntil(
      "the first run's fit fold to start",
      async () => {
        const [row] = await harness.database.db
          .select({ stage: stageRuns })
          .from(stageRuns)
          .innerJoin(pipelineRuns, eq(stageRuns.pipelineRunId, pipelineRuns.id))
          .where(and(eq(pipelineRuns.workflowId, first.workflowId), eq(stageRuns.stage, 'fit-fold-0')));
        return row?.stage;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    expect(fold.workerIdentity).toMatch(new RegExp(`/cpu/${build1.child.pid}$`));
    const lifecycle = await harness.client.temporal.workflow.start<ModelLifecycleWorkflow>(
      'modelLifecycleWorkflow',
      lifecycleStart(`versioning-${randomUUID().slice(0, 8)}`, { cpu: taskQueue, gpu: taskQueue }),
    );
    await lifecycle.query(lifecycleStatusQuery);

    // Build 2 starts while the first run is in flight and makes itself current once it polls.
    const build2 = harness.startWorker({ MLOPS_CODE_VERSION: 'b2' });
    await currentBuildIs('b2');
    const second = await startSmoke(0);
    const secondResult = await second.result();
    expect((await first.describe()).status.name).toBe('RUNNING');

    const firstResult = await first.result();
    // Every workflow task and activity of the first run ran on build 1, of the second on build 2.
    expect(new Set(await workflowTaskBuilds(first))).toEqual(new Set(['b1']));
    expect(new Set(await workflowTaskBuilds(second))).toEqual(new Set(['b2']));
    expect(firstResult.folds[0].workerIdentity).toMatch(new RegExp(`/cpu/${build1.child.pid}$`));
    expect(secondResult.folds[0].workerIdentity).toMatch(new RegExp(`/cpu/${build2.child.pid}$`));
    for (const [handle, buildId] of [
      [first, 'b1'],
      [second, 'b2'],
    ] as const) {
      const versioning = (await handle.describe()).raw.workflowExecutionInfo?.versioningInfo;
      expect(versioning?.behavior).toBe(VersioningBehavior.VERSIONING_BEHAVIOR_PINNED);
      expect(versioning?.deploymentVersion?.buildId).toBe(buildId);
    }

    // The long-lived lifecycle workflow moves to build 2 at its next workflow task.
    expect(new Set(await workflowTaskBuilds(lifecycle))).toEqual(new Set(['b1']));
    await lifecycle.signal('versioning-test-wake-up');
    const lifecycleVersioning = await waitUntil(
      'the lifecycle workflow to move to build 2',
      async () => {
        const versioning = (await lifecycle.describe()).raw.workflowExecutionInfo?.versioningInfo;
        return versioning?.deploymentVersion?.buildId === 'b2' ? versioning : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(lifecycleVersioning.behavior).toBe(VersioningBehavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE);
    expect((await workflowTaskBuilds(lifecycle)).at(-1)).toBe('b2');
    await lifecycle.terminate('test over');

    // A restarted old build does not take the deployment back.
    const restarted = harness.startWorker({ MLOPS_CODE_VERSION: 'b1' });
    await waitUntil(
      'the restarted build 1 worker to decline making itself current',
      async () => restarted.stderr().includes('not making this version current') || undefined,
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    await currentBuildIs('b2');

    const doctorEnv = { ...stackEnvironment(), ...versioned };
    const doctor = await runMlops(['doctor', '--json'], doctorEnv);
    const report = doctor.json<{ workerDeployment: DeploymentReport }>().workerDeployment;
    expect(report).toMatchObject({ name: deployment, currentBuildId: 'b2', rampingBuildId: null });
    expect(Object.fromEntries(report.versions.map((version) => [version.buildId, version.status]))).toEqual({
      b1: expect.stringMatching(/^(draining|drained)$/),
      b2: 'current',
    });
    const human = await runMlops(['doctor'], doctorEnv);
    expect(human.stdout).toMatch(
      new RegExp(`ok +worker versions +deployment ${deployment}: current b2; versions`),
    );
    const unversioned = await runMlops(['doctor'], stackEnvironment());
    expect(unversioned.stdout).toMatch(/ok +worker versions +unversioned workers/);

    for (const worker of [build1, build2, restarted]) worker.child.kill('SIGTERM');
    for (const worker of [build1, build2, restarted]) expect(await worker.exited).toBe(0);
  }, 120_000);
});
