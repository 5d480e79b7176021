import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandTrainerSpec } from '../support/command-trainers.js';
import { runPipeline, stageRunsOf } from '../support/pipeline.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { trainingHeartbeat, useWorkerProcesses } from '../support/worker-processes.js';

describe('a command trainer whose worker dies', () => {
  const harness = useWorkerProcesses('command-resume', {});

  it(
    'resumes on another worker from its last reported checkpoint, and its heartbeats show it',
    { timeout: 240_000 },
    async () => {
      const first = harness.startWorker();
      const spec = await commandTrainerSpec(['python3', 'trainer.py', 'steps', '12', '0.5']);
      const run = await harness.startPipeline(spec);
      const beat = await trainingHeartbeat<{
        kind: string;
        progress: number;
        checkpoint: { name: string } | null;
      }>(
        run,
        'a reported checkpoint',
        (heartbeat) => Boolean(heartbeat.checkpoint) && heartbeat.progress >= 0.25,
      );
      expect(beat.kind).toBe('command');
      first.child.kill('SIGKILL');
      await first.exited;

      const second = harness.startWorker();
      const result = await run.result();
      expect(result.status, JSON.stringify(result.error)).toBe('succeeded');
      const train = (await stageRunsOf(harness.database.db, run.workflowId)).find(
        (stage) => stage.stage === 'train',
      );
      expect(train?.attempt).toBe(2);
      expect(train?.workerIdentity).toMatch(new RegExp(`/cpu/${second.child.pid}$`));
      const outputs = train?.outputs as { resumedFromCheckpoint: string | null };
      // The retry started from a checkpoint at least as far as the one the heartbeat showed.
      expect(outputs.resumedFromCheckpoint).not.toBeNull();
      expect(outputs.resumedFromCheckpoint! >= beat.checkpoint!.name).toBe(true);
      second.child.kill('SIGTERM');
      await second.exited;
    },
  );
});

describe('command trainers on the GPU pool', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform({ pools: ['cpu', 'gpu'], env: { MLOPS_GPUS: '0,1' } });
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it(
    'gives two trainers running at once a device each, in CUDA_VISIBLE_DEVICES',
    { timeout: 180_000 },
    async () => {
      const specs = await Promise.all(
        [0, 1].map(() =>
          commandTrainerSpec(['python3', 'trainer.py', 'device'], { train: { resources: { gpu: 1 } } }),
        ),
      );
      const results = await Promise.all(specs.map((spec) => runPipeline(platform, spec, { noCache: true })));
      expect(results.map((result) => result.status)).toEqual(['succeeded', 'succeeded']);
      const trains = await Promise.all(
        results.map(async (result) =>
          (await stageRunsOf(platform.database.db, result.workflowId)).find(
            (stage) => stage.stage === 'train',
          ),
        ),
      );
      // What the worker recorded and what the trainer saw are the same device, and the two differ.
      const seen = trains.map((train) => (train?.outputs as { validationMetric: number }).validationMetric);
      expect(trains.map((train) => train?.gpuDevice)).toEqual(seen);
      expect([...seen].sort()).toEqual([0, 1]);
      expect(trains.every((train) => train?.workerIdentity.includes('/gpu/'))).toBe(true);
    },
  );

  it(
    'retries a trainer that exits 75 (EX_TEMPFAIL), from the checkpoint it reported',
    { timeout: 180_000 },
    async () => {
      const spec = await commandTrainerSpec(['python3', 'trainer.py', 'retry-later']);
      const result = await runPipeline(platform, spec);
      expect(result.status, JSON.stringify(result.error)).toBe('succeeded');
      const train = (await stageRunsOf(platform.database.db, result.workflowId)).find(
        (stage) => stage.stage === 'train',
      );
      expect(train?.attempt).toBe(2);
      expect(train?.outputs).toMatchObject({ resumedFromCheckpoint: 'tried' });
    },
  );
});
