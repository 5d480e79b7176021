import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { startPipeline } from '../../client/pipeline.js';
import { decodePayloadValue } from '../../codec/data-converter.js';
import { lineageEdges, pipelineRuns, stageRuns } from '../../db/schema.js';
import { waitUntil } from '../../stack/processes.js';
import { exampleSpec } from '../support/pipeline.js';
import { useWorkerProcesses } from '../support/worker-processes.js';

describe('training pipeline durability', () => {
  const harness = useWorkerProcesses('resume', { MLOPS_CHECKPOINT_INTERVAL: '500ms' });
  const { taskQueue } = harness;

  it(
    'resumes training from the last checkpoint after the worker is killed, registering exactly one version',
    { timeout: 240_000 },
    async () => {
      const first = harness.startWorker();
      // Long enough to be killed midway: many small boosting rounds on the flights sample.
      const spec = exampleSpec('flights-sample.yaml', {
        train: {
          trainer: 'gradient_boosting',
          params: { nEstimators: 1500, learningRate: 0.02, maxLeaves: 15, minSamplesLeaf: 20 },
        },
        evaluation: { primaryMetric: 'auc', gates: [] },
      });
      // No cache: an earlier run of this test may have trained the very same model.
      const run = await startPipeline(harness.client.temporal, spec, {
        taskQueues: { cpu: taskQueue, gpu: taskQueue },
        noCache: true,
        trigger: 'test',
      });

      // Wait until training has stored a checkpoint past its first rounds, then kill the worker outright.
      const checkpointed = await waitUntil(
        'a training checkpoint',
        async () => {
          const description = await run.handle.describe();
          const training = description.raw.pendingActivities?.find(
            (activity) => activity.activityType?.name === 'trainStage',
          );
          const payload = training?.heartbeatDetails?.payloads?.[0];
          const heartbeat = payload
            ? ((await decodePayloadValue(run.handle.client.options.loadedDataConverter, payload)) as {
                iteration: number;
                checkpoint: unknown;
              })
            : undefined;
          return heartbeat?.checkpoint && heartbeat.iteration >= 20 ? heartbeat : undefined;
        },
        { timeoutMs: 180_000, intervalMs: 200 },
      );
      first.child.kill('SIGKILL');
      await first.exited;

      const second = harness.startWorker();
      const result = await run.result();
      expect(result.status).toBe('succeeded');

      const [pipelineRun] = await harness.database.db
        .select()
        .from(pipelineRuns)
        .where(eq(pipelineRuns.workflowId, run.workflowId));
      const stages = await harness.database.db
        .select()
        .from(stageRuns)
        .where(eq(stageRuns.pipelineRunId, pipelineRun.id));
      const train = stages.find((stage) => stage.stage === 'train');
      expect(train?.attempt).toBe(2);
      expect(train?.workerIdentity).toMatch(new RegExp(`/cpu/${second.child.pid}$`));
      const resumedFrom = (train?.outputs as { resumedFromIteration: number | null }).resumedFromIteration;
      expect(resumedFrom).toBeGreaterThanOrEqual(20);
      expect(resumedFrom).toBeLessThanOrEqual(checkpointed.iteration);
      // One row per stage, one model version, no duplicated lineage.
      expect(new Set(stages.map((stage) => stage.stage)).size).toBe(stages.length);
      expect(result.model?.version).toBe(1);
      const edges = await harness.database.db
        .select()
        .from(lineageEdges)
        .where(eq(lineageEdges.toKind, 'model_version'));
      const keys = edges.map((edge) => `${edge.fromKind}:${edge.fromId}->${edge.toId}:${edge.relation}`);
      expect(new Set(keys).size).toBe(keys.length);
      second.child.kill('SIGTERM');
      await second.exited;
    },
  );
});
