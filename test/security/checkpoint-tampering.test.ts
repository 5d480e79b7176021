import { describe, expect, it } from 'vitest';
import { killableTrainingSpec, stageRunsOf } from '../support/pipeline.js';
import { testArtifactStore } from '../support/platform.js';
import { trainingHeartbeat, useWorkerProcesses } from '../support/worker-processes.js';

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
      const spec = killableTrainingSpec({ name: `tamper-${Date.now().toString(36)}` });
      const run = await harness.startPipeline(spec);
      const heartbeat = await trainingHeartbeat<{
        iteration: number;
        checkpoint?: { uri: string; sha256: string };
      }>(run, 'a training checkpoint', (beat) => Boolean(beat.checkpoint) && beat.iteration >= 20);
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
      const train = (await stageRunsOf(harness.database.db, run.workflowId)).find(
        (stage) => stage.stage === 'train',
      )!;
      expect(train.attempt).toBe(2);
      const outputs = train.outputs as { resumedFromIteration: number | null; roundsRedone: number | null };
      expect(outputs.resumedFromIteration).toBeNull();
      // Started over: every round the lost attempt had reached was trained again.
      expect(outputs.roundsRedone).toBeGreaterThanOrEqual(heartbeat.iteration);
      const modelUri = (train.outputs as { model: { uri: string } }).model.uri;
      const model = (await store.getBuffer(store.keyOf(modelUri), 512 * 1024 * 1024)).toString();
      expect(model).not.toContain(String(planted));
      second.child.kill('SIGTERM');
      await second.exited;
      store.client.destroy();
    },
  );
});
