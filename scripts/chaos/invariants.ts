/**
 * The chaos run's invariants, read from PostgreSQL and S3 once the pipelines ended: each ended as
 * without faults, one model version per pipeline, every artifact PostgreSQL references present in
 * S3 with its recorded sha256, and how training fared (retries, checkpoint resumes, GPU pool).
 */
import { createHash } from 'node:crypto';
import { eq, gte, inArray } from 'drizzle-orm';
import type { PipelineResult } from '../../contracts/pipeline.js';
import type { Database } from '../../db/client.js';
import { artifacts, models, modelVersions, pipelineRuns, stageRuns } from '../../db/schema.js';
import type { ArtifactStore } from '../../storage/artifact-store.js';
import type { ChaosReport } from './report.js';

export async function checkInvariants(
  db: Database,
  store: ArtifactStore,
  since: Date,
  workflowIds: readonly string[],
  results: readonly (PipelineResult | undefined)[],
): Promise<Omit<ChaosReport, 'faults' | 'gpuKills' | 'seconds' | 'workerExits' | 'serving'>> {
  const unexpected = results
    .map((result, index) =>
      result?.status === 'succeeded'
        ? undefined
        : `${workflowIds[index]}: ${result?.status} ${result?.error?.message ?? ''}`,
    )
    .filter((line): line is string => line !== undefined);
  const names = results.flatMap((result) => (result?.model ? [result.model.name] : []));
  const versions = names.length
    ? await db
        .select({ name: models.name, version: modelVersions.version })
        .from(modelVersions)
        .innerJoin(models, eq(modelVersions.modelId, models.id))
        .where(inArray(models.name, names))
    : [];
  const runRows = await db
    .select()
    .from(pipelineRuns)
    .where(inArray(pipelineRuns.workflowId, [...workflowIds]));
  const stages = runRows.length
    ? await db
        .select()
        .from(stageRuns)
        .where(
          inArray(
            stageRuns.pipelineRunId,
            runRows.map((row) => row.id),
          ),
        )
    : [];
  const training = stages.filter((stage) => stage.stage === 'train');
  const referenced = await db.select().from(artifacts).where(gte(artifacts.createdAt, since));
  const missingArtifacts: string[] = [];
  for (const artifact of referenced) {
    try {
      const bytes = await store.getBuffer(store.keyOf(artifact.uri), 1024 ** 3);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      if (sha256 !== artifact.sha256)
        missingArtifacts.push(`${artifact.uri}: sha256 ${sha256}, recorded ${artifact.sha256}`);
    } catch (error) {
      missingArtifacts.push(`${artifact.uri}: ${(error as Error).message}`);
    }
  }
  return {
    runs: results.length,
    completed: results.filter((result) => result?.status === 'succeeded').length,
    unexpected,
    duplicateVersions: versions.length - new Set(versions.map((row) => row.name)).size,
    missingArtifacts,
    checkedArtifacts: referenced.length,
    trainingRetries: training.filter((stage) => stage.attempt > 1).length,
    trainedOnGpu: training.filter((stage) => stage.workerIdentity?.includes('/gpu/')).length,
    // A built-in trainer resumes from an iteration, a command trainer from a checkpoint file.
    resumedFromCheckpoint: training.filter((stage) => {
      const outputs = trainingOutputs(stage);
      return outputs.resumedFromIteration != null || outputs.resumedFromCheckpoint != null;
    }).length,
    roundsRedone: training.reduce((sum, stage) => sum + (trainingOutputs(stage).roundsRedone ?? 0), 0),
  };
}

/** What a training records of a retry (activities/pipeline/builtin-training.ts, trainers/command-training.ts). */
function trainingOutputs(stage: { outputs: unknown }): {
  resumedFromIteration?: number | null;
  resumedFromCheckpoint?: string | null;
  roundsRedone?: number | null;
} {
  return (stage.outputs ?? {}) as ReturnType<typeof trainingOutputs>;
}
