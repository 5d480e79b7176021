import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { lineageEdges, pipelineRuns, stageRuns } from '../../db/schema.js';
import { killableTrainingSpec } from '../support/pipeline.js';
import { trainingHeartbeat, useWorkerProcesses } from '../support/worker-processes.js';

describe('training pipeline durability', () => {
  const harness = useWorkerProcesses('resume', { MLOPS_CHECKPOINT_INTERVAL: '500ms' });

  it(
    'resumes training from the last checkpoint after the worker is killed, registering exactly one version',
    { timeout: 240_000 },
    async () => {
      const first = harness.startWorker();
      // No cache: an earlier run of this test may have trained the very same model.
      const run = await harness.startPipeline(killableTrainingSpec());

      // Wait until training has stored a checkpoint past its first rounds, then kill the worker outright.
      const checkpointed = await trainingHeartbeat<{ iteration: number; checkpoint: unknown }>(
        run,
        'a training checkpoint',
        (beat) => Boolean(beat.checkpoint) && beat.iteration >= 20,
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
      const { resumedFromIteration: resumedFrom, roundsRedone } = train?.outputs as {
        resumedFromIteration: number | null;
        roundsRedone: number | null;
      };
      expect(resumedFrom).toBeGreaterThanOrEqual(20);
      expect(resumedFrom).toBeLessThanOrEqual(checkpointed.iteration);
      // What the lost attempt had reached by its last heartbeat, less what the checkpoint kept.
      expect(roundsRedone).toBeGreaterThanOrEqual(0);
      expect(resumedFrom! + roundsRedone!).toBeGreaterThanOrEqual(checkpointed.iteration);
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
