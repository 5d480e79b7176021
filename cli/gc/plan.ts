import type { Database } from '../../db/client.js';
import { artifactUrisIn } from '../../db/queries/lineage.js';
import {
  artifactPages,
  countPredictionLogsBefore,
  driftReportPages,
  loadRegistryFacts,
  runSpecPages,
  stageRunPages,
} from '../../db/queries/retention.js';
import type { ArtifactStore } from '../../storage/artifact-store.js';
import {
  artifactIdsLinkedToKept,
  busyPrefixes,
  decideVersionsAndRuns,
  graceCutoff,
  isOrphan,
  retiredDatasetVersions,
  type RetentionPolicy,
  type VersionFacts,
} from './retention.js';
import { isBusy, keyOfUri, sweptPrefixes } from './key-scope.js';

export interface DoomedObject {
  readonly key: string;
  readonly bytes: number;
}

/** What one gc run removes, decided before anything is changed (the whole of `--dry-run`). */
export interface GcPlan {
  readonly retiredVersions: readonly VersionFacts[];
  readonly datasetVersions: readonly { readonly id: number; readonly uri: string; readonly bytes: number }[];
  readonly artifacts: readonly {
    readonly id: number;
    readonly uri: string;
    readonly bytes: number;
    readonly kind: string;
  }[];
  /** Objects no row names. */
  readonly orphans: readonly DoomedObject[];
  /** Every object to delete: those of the removed rows and the orphans, each once. */
  readonly objects: readonly DoomedObject[];
  readonly predictionLogs: { readonly before: Date | null; readonly count: number };
}

export interface GcPolicy extends RetentionPolicy {
  readonly predictionLogsMs: number | null;
}

/**
 * Marks what is referenced (from the database only: S3 holds no references), then lists the bucket
 * for orphans. Reading happens while pipelines may run: anything a run in flight writes is either
 * under a busy prefix or younger than the grace, so the plan stays right until it is applied.
 */
export async function planGc(db: Database, store: ArtifactStore, policy: GcPolicy): Promise<GcPlan> {
  const bucket = store.bucket;
  const facts = await loadRegistryFacts(db);
  const linkedVersionIds = new Set(
    facts.edges.flatMap((edge) => [
      ...(edge.fromKind === 'model_version' ? [edge.fromId] : []),
      ...(edge.toKind === 'model_version' ? [edge.toId] : []),
    ]),
  );
  const decision = decideVersionsAndRuns({ ...facts, linkedVersionIds }, policy);
  const busy = busyPrefixes(facts.runs);
  const modelRunIds = new Set(
    facts.runs.filter((run) => run.pipelineName === policy.model).map((run) => run.id),
  );

  // URIs kept runs (their stages and specs) and drift reports name; with --model, also what the
  // model's own runs name (the scope of its rows, wherever their keys are).
  const referencedUris = new Set<string>();
  const scopeUris = new Set<string>();
  const keptStageIds = new Set<number>();
  for await (const page of stageRunPages(db))
    for (const stage of page) {
      const uris = [...artifactUrisIn(stage.inputs), ...artifactUrisIn(stage.outputs)];
      if (decision.keptRunIds.has(stage.pipelineRunId)) {
        keptStageIds.add(stage.id);
        for (const uri of uris) referencedUris.add(uri);
      }
      if (modelRunIds.has(stage.pipelineRunId)) for (const uri of uris) scopeUris.add(uri);
    }
  for await (const page of runSpecPages(db))
    for (const run of page)
      if (decision.keptRunIds.has(run.id))
        for (const uri of artifactUrisIn(run.spec)) referencedUris.add(uri);
  for await (const page of driftReportPages(db))
    for (const report of page) for (const uri of artifactUrisIn(report.report)) referencedUris.add(uri);

  const datasetVersions = retiredDatasetVersions(
    { ...facts, keptVersionIds: decision.keptVersionIds, referencedUris, busyPrefixes: busy, bucket },
    policy,
  );
  const retiredDatasetIds = new Set(datasetVersions.map((dataset) => dataset.id));
  for (const dataset of facts.datasetVersions)
    if (!retiredDatasetIds.has(dataset.id)) referencedUris.add(dataset.uri);

  // Artifact ids kept versions point at, or that lineage links to something kept.
  const retiredVersionIds = new Set(decision.retiredVersions.map((version) => version.id));
  const keptArtifactIds = artifactIdsLinkedToKept(facts.edges, (kind, id) => {
    if (kind === 'model_version') return !retiredVersionIds.has(id);
    if (kind === 'stage_run') return keptStageIds.has(id);
    if (kind === 'pipeline_run') return decision.keptRunIds.has(id);
    if (kind === 'dataset_version') return !retiredDatasetIds.has(id);
    return true;
  });
  const scopeArtifactIds = new Set<number>();
  for (const version of facts.versions) {
    const ids = [version.modelArtifactId, version.reportArtifactId].filter((id): id is number => id !== null);
    if (!retiredVersionIds.has(version.id)) for (const id of ids) keptArtifactIds.add(id);
    if (version.modelName === policy.model) for (const id of ids) scopeArtifactIds.add(id);
  }
  const scopePrefixes = policy.model === undefined ? undefined : sweptPrefixes(policy.model);
  const inScope = (id: number, uri: string) => {
    if (scopePrefixes === undefined) return true;
    const key = keyOfUri(uri, bucket);
    return (
      scopeArtifactIds.has(id) ||
      scopeUris.has(uri) ||
      (key !== undefined && scopePrefixes.some((prefix) => key.startsWith(prefix)))
    );
  };

  const grace = graceCutoff(policy);
  const doomedArtifacts: GcPlan['artifacts'][number][] = [];
  // Every URI a row that stays names: such an object is never deleted, whatever else goes.
  const namedUris = new Set(referencedUris);
  for await (const page of artifactPages(db))
    for (const artifact of page) {
      const garbage =
        !keptArtifactIds.has(artifact.id) &&
        !referencedUris.has(artifact.uri) &&
        artifact.createdAt < grace &&
        inScope(artifact.id, artifact.uri) &&
        !isBusy(keyOfUri(artifact.uri, bucket), busy);
      if (garbage)
        doomedArtifacts.push({
          id: artifact.id,
          uri: artifact.uri,
          bytes: artifact.bytes,
          kind: artifact.kind,
        });
      else namedUris.add(artifact.uri);
    }

  const objects = new Map<string, DoomedObject>();
  for (const row of [...datasetVersions, ...doomedArtifacts]) {
    const key = keyOfUri(row.uri, bucket);
    if (key !== undefined && !namedUris.has(row.uri)) objects.set(key, { key, bytes: row.bytes });
  }
  const orphans: DoomedObject[] = [];
  for (const prefix of sweptPrefixes(policy.model))
    for await (const object of store.list(prefix)) {
      if (objects.has(object.key)) continue;
      if (isOrphan(object, { namedUris, bucket, busyPrefixes: busy }, policy)) {
        const orphan = { key: object.key, bytes: object.bytes };
        orphans.push(orphan);
        objects.set(object.key, orphan);
      }
    }

  const before =
    policy.predictionLogsMs === null ? null : new Date(policy.now.getTime() - policy.predictionLogsMs);
  return {
    retiredVersions: decision.retiredVersions,
    datasetVersions: datasetVersions.map(({ id, uri, bytes }) => ({ id, uri, bytes })),
    artifacts: doomedArtifacts,
    orphans,
    objects: [...objects.values()],
    predictionLogs: {
      before,
      count: before === null ? 0 : await countPredictionLogsBefore(db, before, policy.model),
    },
  };
}
