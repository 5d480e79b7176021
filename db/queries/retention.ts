import { and, asc, eq, gt, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../client.js';
import {
  artifacts,
  datasets,
  datasetVersions,
  deployments,
  driftReports,
  labelFeedback,
  lineageEdges,
  modelAliases,
  models,
  modelVersions,
  pipelineRuns,
  predictionLogs,
  stageRuns,
} from '../schema.js';

/**
 * What `mlops gc` reads and changes. The registry's small tables are read whole (ids, statuses and
 * times, no documents); the large ones (stage runs, artifacts, drift reports, prediction logs) page
 * by id, so memory holds one page plus the URIs that are referenced.
 */

const PAGE = 1000;
/** Ids per `in (...)` list: PostgreSQL takes more, but statements this size stay cheap to plan. */
const CHUNK = 1000;

export async function loadRegistryFacts(db: Database) {
  const [versions, aliases, splits, runs, datasetRows, edges] = await Promise.all([
    db
      .select({
        id: modelVersions.id,
        modelName: models.name,
        version: modelVersions.version,
        status: modelVersions.status,
        createdAt: modelVersions.createdAt,
        pipelineRunId: modelVersions.pipelineRunId,
        datasetVersionId: modelVersions.datasetVersionId,
        modelArtifactId: modelVersions.modelArtifactId,
        reportArtifactId: modelVersions.reportArtifactId,
      })
      .from(modelVersions)
      .innerJoin(models, eq(modelVersions.modelId, models.id))
      .orderBy(asc(modelVersions.id)),
    db.select({ id: modelAliases.modelVersionId }).from(modelAliases),
    db.select({ split: deployments.trafficSplit }).from(deployments),
    db
      .select({
        id: pipelineRuns.id,
        workflowId: pipelineRuns.workflowId,
        pipelineName: pipelineRuns.pipelineName,
        status: pipelineRuns.status,
        startedAt: pipelineRuns.startedAt,
        finishedAt: pipelineRuns.finishedAt,
      })
      .from(pipelineRuns),
    db
      .select({
        id: datasetVersions.id,
        datasetName: datasets.name,
        uri: datasetVersions.uri,
        bytes: datasetVersions.bytes,
        createdAt: datasetVersions.createdAt,
      })
      .from(datasetVersions)
      .innerJoin(datasets, eq(datasetVersions.datasetId, datasets.id)),
    db
      .select({
        fromKind: lineageEdges.fromKind,
        fromId: lineageEdges.fromId,
        toKind: lineageEdges.toKind,
        toId: lineageEdges.toId,
      })
      .from(lineageEdges),
  ]);
  const servedVersionIds = new Set(aliases.map((alias) => alias.id));
  for (const { split } of splits) {
    servedVersionIds.add(split.championVersionId);
    if (split.challengerVersionId !== undefined) servedVersionIds.add(split.challengerVersionId);
  }
  return { versions, servedVersionIds, runs, datasetVersions: datasetRows, edges };
}

/** Every stage run, a page at a time: its run, inputs and outputs. */
export async function* stageRunPages(db: Database) {
  for (let after = 0; ;) {
    const page = await db
      .select({
        id: stageRuns.id,
        pipelineRunId: stageRuns.pipelineRunId,
        inputs: stageRuns.inputs,
        outputs: stageRuns.outputs,
      })
      .from(stageRuns)
      .where(gt(stageRuns.id, after))
      .orderBy(asc(stageRuns.id))
      .limit(PAGE);
    if (page.length === 0) return;
    yield page;
    after = page[page.length - 1].id;
  }
}

/** Pipeline runs' specs (their dataset URIs and trainer code), a page at a time. */
export async function* runSpecPages(db: Database) {
  for (let after = 0; ;) {
    const page = await db
      .select({ id: pipelineRuns.id, spec: pipelineRuns.spec })
      .from(pipelineRuns)
      .where(gt(pipelineRuns.id, after))
      .orderBy(asc(pipelineRuns.id))
      .limit(PAGE);
    if (page.length === 0) return;
    yield page;
    after = page[page.length - 1].id;
  }
}

export async function* driftReportPages(db: Database) {
  for (let after = 0; ;) {
    const page = await db
      .select({ id: driftReports.id, report: driftReports.report })
      .from(driftReports)
      .where(gt(driftReports.id, after))
      .orderBy(asc(driftReports.id))
      .limit(PAGE);
    if (page.length === 0) return;
    yield page;
    after = page[page.length - 1].id;
  }
}

export async function* artifactPages(db: Database) {
  for (let after = 0; ;) {
    const page = await db
      .select()
      .from(artifacts)
      .where(gt(artifacts.id, after))
      .orderBy(asc(artifacts.id))
      .limit(PAGE);
    if (page.length === 0) return;
    yield page;
    after = page[page.length - 1].id;
  }
}

export interface RowRemoval {
  readonly retiredVersionIds: readonly number[];
  readonly datasetVersionIds: readonly number[];
  readonly artifactIds: readonly number[];
}

/**
 * Retires versions and deletes dataset version and artifact rows in one transaction, before any
 * object is deleted: a crash midway leaves objects no row names (the next run's orphans), never a
 * row naming a missing object. A retired version's row stays, archived, with its links cut.
 */
export async function removeRows(db: Database, removal: RowRemoval): Promise<void> {
  await db.transaction(async (transaction) => {
    for (const ids of chunks(removal.retiredVersionIds)) {
      await transaction
        .update(modelVersions)
        .set({ status: 'archived', modelArtifactId: null, reportArtifactId: null, datasetVersionId: null })
        .where(inArray(modelVersions.id, ids));
      await transaction.delete(lineageEdges).where(edgesTouching('model_version', ids));
    }
    for (const ids of chunks(removal.datasetVersionIds)) {
      // Only versions that are not kept can still point at them (kept ones keep their dataset).
      await transaction
        .update(modelVersions)
        .set({ datasetVersionId: null })
        .where(inArray(modelVersions.datasetVersionId, ids));
      await transaction.delete(lineageEdges).where(edgesTouching('dataset_version', ids));
      await transaction.delete(datasetVersions).where(inArray(datasetVersions.id, ids));
    }
    for (const ids of chunks(removal.artifactIds)) {
      await transaction
        .update(modelVersions)
        .set({ modelArtifactId: null })
        .where(inArray(modelVersions.modelArtifactId, ids));
      await transaction
        .update(modelVersions)
        .set({ reportArtifactId: null })
        .where(inArray(modelVersions.reportArtifactId, ids));
      await transaction.delete(lineageEdges).where(edgesTouching('artifact', ids));
      await transaction.delete(artifacts).where(inArray(artifacts.id, ids));
    }
  });
}

function edgesTouching(
  kind: 'model_version' | 'dataset_version' | 'artifact',
  ids: number[],
): SQL | undefined {
  return or(
    and(eq(lineageEdges.fromKind, kind), inArray(lineageEdges.fromId, ids)),
    and(eq(lineageEdges.toKind, kind), inArray(lineageEdges.toId, ids)),
  );
}

function predictionLogsBefore(cutoff: Date, model: string | undefined): SQL | undefined {
  return and(
    lt(predictionLogs.createdAt, cutoff),
    model === undefined
      ? undefined
      : inArray(
          predictionLogs.modelVersionId,
          sql`(select ${modelVersions.id} from ${modelVersions} join ${models} on ${models.id} = ${modelVersions.modelId} where ${models.name} = ${model})`,
        ),
  );
}

export async function countPredictionLogsBefore(
  db: Database,
  cutoff: Date,
  model: string | undefined,
): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(predictionLogs)
    .where(predictionLogsBefore(cutoff, model));
  return row.count;
}

/**
 * Deletes up to `batch` prediction logs older than `cutoff` with their labels, in a transaction of
 * its own: each batch holds its locks for milliseconds, and serving keeps logging in between.
 * Returns how many went; 0 when none is left.
 */
export async function deletePredictionLogBatch(
  db: Database,
  cutoff: Date,
  model: string | undefined,
  batch = 5000,
): Promise<number> {
  return db.transaction(async (transaction) => {
    const doomed = await transaction
      .select({ id: predictionLogs.id, predictionId: predictionLogs.predictionId })
      .from(predictionLogs)
      .where(predictionLogsBefore(cutoff, model))
      .orderBy(asc(predictionLogs.id))
      .limit(batch);
    if (doomed.length === 0) return 0;
    await transaction.delete(labelFeedback).where(
      inArray(
        labelFeedback.predictionId,
        doomed.map((row) => row.predictionId),
      ),
    );
    await transaction.delete(predictionLogs).where(
      inArray(
        predictionLogs.id,
        doomed.map((row) => row.id),
      ),
    );
    return doomed.length;
  });
}

function* chunks(ids: readonly number[]): Generator<number[]> {
  for (let start = 0; start < ids.length; start += CHUNK) yield ids.slice(start, start + CHUNK);
}
