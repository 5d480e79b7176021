import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { startPipeline } from '../../client/pipeline.js';
import { decodePayloadValue } from '../../codec/data-converter.js';
import { pipelineRuns, stageRuns } from '../../db/schema.js';
import { waitUntil } from '../../stack/processes.js';
import { exampleSpec } from '../support/pipeline.js';
import { testArtifactStore } from '../support/platform.js';
import { useWorkerProcesses } from '../support/worker-processes.js';

/**
 * A checkpoint rewritten in S3 between a worker's death and the retry must not be resumed from:
 * whatever it holds (here a planted leaf value) would end up in the registered model, which the
 * registry then hashes, so every later integrity check would pass.
 */
describe('a tampered training checkpoint', () => {
  const harness = useWorkerProcesses('tamper', { MLOPS_CHECKPOINT_INTERVAL: '500ms' });

  it(
    'is refused on resume by its recorded sha256: training starts over and the planted value is nowhere',
    { timeout: 240_000 },
    async () => {
      const first = harness.startWorker();
      const spec = exampleSpec('flights-sample.yaml', {
        name: `tamper-${Date.now().toString(36)}`,
        train: {
          trainer: 'gradient_boosting',
          params: { nEstimators: 1500, learningRate: 0.02, maxLeaves: 15, minSamplesLeaf: 20 },
        },
        evaluation: { primaryMetric: 'auc', gates: [] },
      });
      const run = await startPipeline(harness.client.temporal, spec, {
        taskQueues: { cpu: harness.taskQueue, gpu: harness.taskQueue },
        noCache: true,
        trigger: 'test',
      });
      const heartbeat = await waitUntil(
        'a training checkpoint',
        async () => {
          const description = await run.handle.describe();
          const training = description.raw.pendingActivities?.find(
            (activity) => activity.activityType?.name === 'trainStage',
          );
          const payload = training?.heartbeatDetails?.payloads?.[0];
          const beat = payload
            ? ((await decodePayloadValue(run.handle.client.options.loadedDataConverter, payload)) as {
                iteration: number;
                checkpoint?: { uri: string; sha256: string };
              })
            : undefined;
          return beat?.checkpoint && beat.iteration >= 20 ? beat : undefined;
        },
        { timeoutMs: 180_000, intervalMs: 200 },
      );
      first.child.kill('SIGKILL');
      await first.exited;

      // Rewrite the checkpoint in place: same key, a planted value in its first tree's leaves.
      const store = testArtifactStore();
      const key = store.keyOf(heartbeat.checkpoint!.uri);
      const stored = (await store.getBuffer(key, 512 * 1024 * 1024)).toString('utf8');
      const planted = 987654.321;
      const tampered = stored.replace(/("value":\[)-?[0-9.e+-]+/, `$1${planted}`);
      expect(tampered).not.toBe(stored);
      await store.put(key, tampered);

      const second = harness.startWorker();
      const result = await run.result();
      expect(result.status).toBe('succeeded');
      const [pipelineRun] = await harness.database.db
        .select()
        .from(pipelineRuns)
        .where(eq(pipelineRuns.workflowId, run.workflowId));
      const [train] = await harness.database.db
        .select()
        .from(stageRuns)
        .where(eq(stageRuns.pipelineRunId, pipelineRun.id))
        .then((rows) => rows.filter((row) => row.stage === 'train'));
      expect(train.attempt).toBe(2);
      expect((train.outputs as { resumedFromIteration: number | null }).resumedFromIteration).toBeNull();
      const modelUri = (train.outputs as { model: { uri: string } }).model.uri;
      const model = (await store.getBuffer(store.keyOf(modelUri), 512 * 1024 * 1024)).toString();
      expect(model).not.toContain(String(planted));
      second.child.kill('SIGTERM');
      await second.exited;
      store.client.destroy();
    },
  );
});
