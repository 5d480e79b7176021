import { and, asc, eq, inArray, or } from 'drizzle-orm';
import type { Database } from '../client.js';
import {
  artifacts,
  datasets,
  datasetVersions,
  lineageEdges,
  modelAliases,
  models,
  modelVersions,
  pipelineRuns,
} from '../schema.js';
import type { Artifact } from './artifacts.js';
import type { DatasetVersion } from './datasets.js';
import type { Model, ModelVersion } from './registry.js';
import { listStageRuns, type PipelineRun, type StageRun } from './runs.js';

/** Read-side provenance of a model version (`mlops models show <name>@<version>`, `mlops lineage`). */

export interface NamedDatasetVersion {
  readonly name: string;
  readonly version: DatasetVersion;
}

export interface ModelVersionDetail {
  readonly model: Model;
  readonly version: ModelVersion;
  readonly aliases: string[];
  /** The run that trained it; absent only for versions registered outside a pipeline. */
  readonly pipelineRun: PipelineRun | undefined;
  /** What it was trained on: its dataset version and any linked by `trained_on` edges. */
  readonly datasetVersions: NamedDatasetVersion[];
  readonly modelFile: Artifact | undefined;
  readonly report: Artifact | undefined;
}

export interface LineageArtifact {
  readonly artifact: Artifact;
  /** How it relates to the version (`trained_on`, `model_file`, `evaluation`, `report`); null for intermediates. */
  readonly relation: string | null;
  /** The stage whose outputs hold it, when one does. */
  readonly stage: string | null;
}

export interface ModelVersionLineage extends ModelVersionDetail {
  /** Every stage run of the pipeline run, tuning trials included, in the order they started. */
  readonly stages: StageRun[];
  /** The registered artifacts behind it: linked to the version, its report, or named by a stage. */
  readonly artifacts: LineageArtifact[];
}

/** One model version with what the registry links to it; undefined when there is no such version. */
export async function findModelVersionDetail(
  db: Database,
  name: string,
  version: number,
): Promise<ModelVersionDetail | undefined> {
  const [row] = await db
    .select({ model: models, version: modelVersions, pipelineRun: pipelineRuns })
    .from(modelVersions)
    .innerJoin(models, eq(modelVersions.modelId, models.id))
    .leftJoin(pipelineRuns, eq(modelVersions.pipelineRunId, pipelineRuns.id))
    .where(and(eq(models.name, name), eq(modelVersions.version, version)));
  if (!row) return undefined;
  const aliasRows = await db
    .select({ alias: modelAliases.alias })
    .from(modelAliases)
    .where(eq(modelAliases.modelVersionId, row.version.id))
    .orderBy(asc(modelAliases.alias));
  const linkedDatasets = await db
    .select({ id: lineageEdges.fromId })
    .from(lineageEdges)
    .where(
      and(
        eq(lineageEdges.toKind, 'model_version'),
        eq(lineageEdges.toId, row.version.id),
        eq(lineageEdges.fromKind, 'dataset_version'),
      ),
    );
  const datasetVersionIds = new Set(linkedDatasets.map((edge) => edge.id));
  if (row.version.datasetVersionId !== null) datasetVersionIds.add(row.version.datasetVersionId);
  const artifactIds = [row.version.modelArtifactId, row.version.reportArtifactId].filter(
    (id): id is number => id !== null,
  );
  const linkedArtifacts = artifactIds.length
    ? await db.select().from(artifacts).where(inArray(artifacts.id, artifactIds))
    : [];
  return {
    model: row.model,
    version: row.version,
    aliases: aliasRows.map((aliasRow) => aliasRow.alias),
    pipelineRun: row.pipelineRun ?? undefined,
    datasetVersions: await namedDatasetVersions(db, [...datasetVersionIds]),
    modelFile: linkedArtifacts.find((artifact) => artifact.id === row.version.modelArtifactId),
    report: linkedArtifacts.find((artifact) => artifact.id === row.version.reportArtifactId),
  };
}

/** A model version's full lineage: its detail plus the stage runs and artifacts behind it. */
export async function findModelVersionLineage(
  db: Database,
  name: string,
  version: number,
): Promise<ModelVersionLineage | undefined> {
  const detail = await findModelVersionDetail(db, name, version);
  if (!detail) return undefined;
  const stages = detail.pipelineRun ? await listStageRuns(db, detail.pipelineRun.id) : [];
  const linked = await db
    .select({ id: lineageEdges.fromId, relation: lineageEdges.relation })
    .from(lineageEdges)
    .where(
      and(
        eq(lineageEdges.toKind, 'model_version'),
        eq(lineageEdges.toId, detail.version.id),
        eq(lineageEdges.fromKind, 'artifact'),
      ),
    );
  const relationById = new Map(linked.map((edge) => [edge.id, edge.relation]));
  if (detail.modelFile) relationById.set(detail.modelFile.id, 'model_file');
  if (detail.report) relationById.set(detail.report.id, 'report');
  const relationByUri = new Map(detail.datasetVersions.map((dataset) => [dataset.version.uri, 'trained_on']));
  // The first stage (in start order) whose outputs name an artifact is the one that made it.
  const stageByUri = new Map<string, string>();
  for (const stage of stages) {
    for (const uri of artifactUrisIn(stage.outputs))
      if (!stageByUri.has(uri)) stageByUri.set(uri, stage.stage);
  }
  const uris = new Set([
    ...relationByUri.keys(),
    ...stages.flatMap((stage) => [...artifactUrisIn(stage.inputs), ...artifactUrisIn(stage.outputs)]),
  ]);
  const conditions = [
    relationById.size ? inArray(artifacts.id, [...relationById.keys()]) : undefined,
    uris.size ? inArray(artifacts.uri, [...uris]) : undefined,
  ].filter((condition) => condition !== undefined);
  const found = conditions.length
    ? await db
        .select()
        .from(artifacts)
        .where(or(...conditions))
        .orderBy(asc(artifacts.id))
    : [];
  const described = found.map((artifact) => ({
    artifact,
    relation: relationById.get(artifact.id) ?? relationByUri.get(artifact.uri) ?? null,
    stage: stageByUri.get(artifact.uri) ?? null,
  }));
  // The version's own artifacts first, then what the run made on the way (tuning trials, splits).
  described.sort((a, b) => Number(a.relation === null) - Number(b.relation === null));
  return { ...detail, stages, artifacts: described };
}

/** Every `s3://` URI held in a stage's inputs or outputs (artifact references nest anywhere in them). */
export function artifactUrisIn(value: unknown): string[] {
  if (typeof value === 'string') return value.startsWith('s3://') ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(artifactUrisIn);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(artifactUrisIn);
  return [];
}

async function namedDatasetVersions(db: Database, ids: number[]): Promise<NamedDatasetVersion[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select({ name: datasets.name, version: datasetVersions })
    .from(datasetVersions)
    .innerJoin(datasets, eq(datasetVersions.datasetId, datasets.id))
    .where(inArray(datasetVersions.id, ids))
    .orderBy(asc(datasetVersions.id));
  return rows;
}
