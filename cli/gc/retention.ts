import {
  familiesByName,
  isBusy,
  isPlatformKey,
  keyOfUri,
  modelDatasetNames,
  safeSegment,
} from './key-scope.js';

/**
 * The decisions of `mlops gc`, as pure functions over facts read from the database and the bucket,
 * so what is kept can be tested without servers. The rule, in one place:
 *
 * - A model version is kept while it is registered (it passed its gates: it can be promoted or
 *   rolled back to at any time), has an alias (champion, challenger) or a share of a deployment,
 *   belongs to a run still in flight, or is younger than the artifact retention. Only old rejected
 *   or archived versions nobody serves are retired: the row stays (metrics, gates, why it was
 *   rejected) as `archived`, its links to artifacts and its dataset version are cut.
 * - A pipeline run is kept while it runs, produced a kept version, or finished within the retention;
 *   a kept run's stage inputs, outputs and spec reference what they name.
 * - A dataset version is kept while a kept version was trained on it, a kept run's stages or spec
 *   name it, or it is younger than the retention.
 * - An artifact row is kept while a kept node links to it, anything kept names its URI, or it is
 *   younger than the grace (an activity writes the row moments before the stage that names it ends).
 * - An object is an orphan when no row names it, it is older than the grace and has the shape of a
 *   key the platform writes; objects under a prefix a running pipeline writes to are never touched.
 *
 * Every age is measured against the larger of the retention and the grace, so a retention shorter
 * than the grace cannot reach into uploads of a run in flight.
 */

export type VersionStatus = 'registered' | 'rejected' | 'archived';

export interface VersionFacts {
  readonly id: number;
  readonly modelName: string;
  readonly version: number;
  readonly status: VersionStatus;
  readonly createdAt: Date;
  readonly pipelineRunId: number | null;
  readonly datasetVersionId: number | null;
  readonly modelArtifactId: number | null;
  readonly reportArtifactId: number | null;
}

export interface RunFacts {
  readonly id: number;
  readonly workflowId: string;
  readonly pipelineName: string;
  readonly status: string;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
}

export interface DatasetVersionFacts {
  readonly id: number;
  readonly datasetName: string;
  readonly uri: string;
  readonly bytes: number;
  readonly createdAt: Date;
}

export interface EdgeFacts {
  readonly fromKind: string;
  readonly fromId: number;
  readonly toKind: string;
  readonly toId: number;
}

export interface RetentionPolicy {
  readonly now: Date;
  readonly graceMs: number;
  /** Null: versions, runs and dataset versions are kept however old. */
  readonly artifactsMs: number | null;
  /** Only this model's versions, runs, datasets and key prefixes are considered. */
  readonly model?: string;
}

/** Before this instant a row or object counts as old; null: nothing is old (retention off). */
export function retentionCutoff(policy: RetentionPolicy): Date | null {
  if (policy.artifactsMs === null) return null;
  return new Date(policy.now.getTime() - Math.max(policy.artifactsMs, policy.graceMs));
}

export function graceCutoff(policy: RetentionPolicy): Date {
  return new Date(policy.now.getTime() - policy.graceMs);
}

export interface VersionDecision {
  readonly keptVersionIds: ReadonlySet<number>;
  readonly keptRunIds: ReadonlySet<number>;
  /** Retired versions that still hold links (already-cut archived versions are left out). */
  readonly retiredVersions: readonly VersionFacts[];
}

export function decideVersionsAndRuns(
  facts: {
    readonly versions: readonly VersionFacts[];
    readonly runs: readonly RunFacts[];
    /** Versions with an alias or a share of a deployment's traffic. */
    readonly servedVersionIds: ReadonlySet<number>;
    /** Versions some lineage edge touches. */
    readonly linkedVersionIds: ReadonlySet<number>;
  },
  policy: RetentionPolicy,
): VersionDecision {
  const cutoff = retentionCutoff(policy);
  const runningRunIds = new Set(facts.runs.filter(isInFlight).map((run) => run.id));
  const inScope = (modelName: string) => policy.model === undefined || policy.model === modelName;
  const keptVersionIds = new Set<number>();
  const retiredVersions: VersionFacts[] = [];
  for (const version of facts.versions) {
    const kept =
      !inScope(version.modelName) ||
      cutoff === null ||
      version.status === 'registered' ||
      facts.servedVersionIds.has(version.id) ||
      (version.pipelineRunId !== null && runningRunIds.has(version.pipelineRunId)) ||
      version.createdAt >= cutoff;
    if (kept) keptVersionIds.add(version.id);
    else if (holdsLinks(version, facts.linkedVersionIds)) retiredVersions.push(version);
  }
  const runsOfKeptVersions = new Set(
    facts.versions
      .filter((version) => keptVersionIds.has(version.id) && version.pipelineRunId !== null)
      .map((version) => version.pipelineRunId),
  );
  const keptRunIds = new Set(
    facts.runs
      .filter(
        (run) =>
          !inScope(run.pipelineName) ||
          cutoff === null ||
          runningRunIds.has(run.id) ||
          runsOfKeptVersions.has(run.id) ||
          (run.finishedAt ?? run.startedAt) >= cutoff,
      )
      .map((run) => run.id),
  );
  return { keptVersionIds, keptRunIds, retiredVersions };
}

function holdsLinks(version: VersionFacts, linkedVersionIds: ReadonlySet<number>): boolean {
  return (
    version.status !== 'archived' ||
    version.modelArtifactId !== null ||
    version.reportArtifactId !== null ||
    version.datasetVersionId !== null ||
    linkedVersionIds.has(version.id)
  );
}

/** Still running; a run whose row never got a finish time is treated as running too (the safe side). */
export function isInFlight(run: RunFacts): boolean {
  return run.status === 'running' || run.finishedAt === null;
}

/** Dataset versions to delete: old, in scope, and neither trained on by a kept version nor named by anything kept. */
export function retiredDatasetVersions(
  facts: {
    readonly datasetVersions: readonly DatasetVersionFacts[];
    readonly versions: readonly VersionFacts[];
    readonly edges: readonly EdgeFacts[];
    readonly keptVersionIds: ReadonlySet<number>;
    /** URIs that kept runs' stages and specs, and drift reports, name. */
    readonly referencedUris: ReadonlySet<string>;
    readonly busyPrefixes: readonly string[];
    readonly bucket: string;
  },
  policy: RetentionPolicy,
): DatasetVersionFacts[] {
  const cutoff = retentionCutoff(policy);
  if (cutoff === null) return [];
  const usedByKept = new Set<number>();
  for (const version of facts.versions)
    if (facts.keptVersionIds.has(version.id) && version.datasetVersionId !== null)
      usedByKept.add(version.datasetVersionId);
  for (const edge of facts.edges)
    if (
      edge.fromKind === 'dataset_version' &&
      edge.toKind === 'model_version' &&
      facts.keptVersionIds.has(edge.toId)
    )
      usedByKept.add(edge.fromId);
  const scope = policy.model === undefined ? undefined : modelDatasetNames(policy.model);
  return facts.datasetVersions.filter(
    (dataset) =>
      (scope === undefined || scope.includes(dataset.datasetName)) &&
      dataset.createdAt < cutoff &&
      !usedByKept.has(dataset.id) &&
      !facts.referencedUris.has(dataset.uri) &&
      !isBusy(keyOfUri(dataset.uri, facts.bucket), facts.busyPrefixes),
  );
}

/**
 * Artifact ids a kept node links to by a lineage edge, either way; an artifact linked to a kept
 * artifact is kept too (followed until nothing changes).
 */
export function artifactIdsLinkedToKept(
  edges: readonly EdgeFacts[],
  isKept: (kind: string, id: number) => boolean,
): Set<number> {
  const kept = new Set<number>();
  for (const edge of edges) {
    if (edge.fromKind === 'artifact' && edge.toKind !== 'artifact' && isKept(edge.toKind, edge.toId))
      kept.add(edge.fromId);
    if (edge.toKind === 'artifact' && edge.fromKind !== 'artifact' && isKept(edge.fromKind, edge.fromId))
      kept.add(edge.toId);
  }
  const between = edges.filter((edge) => edge.fromKind === 'artifact' && edge.toKind === 'artifact');
  for (let grew = true; grew;) {
    grew = false;
    for (const edge of between) {
      const [from, to] = [kept.has(edge.fromId), kept.has(edge.toId)];
      if (from !== to) {
        kept.add(from ? edge.toId : edge.fromId);
        grew = true;
      }
    }
  }
  return kept;
}

/**
 * Prefixes running pipelines write under: every family's `<pipeline>/` (its datasets are named
 * after it) and its validation reports' run folder (`<workflowId>-<runId>`, activities/pipeline/data.ts).
 */
export function busyPrefixes(runs: readonly RunFacts[]): string[] {
  const prefixes = new Set<string>();
  for (const run of runs.filter(isInFlight)) {
    for (const name of modelDatasetNames(run.pipelineName)) {
      const segment = safeSegment(name);
      if (segment !== undefined)
        for (const family of [...familiesByName, 'code']) prefixes.add(`${family}/${segment}/`);
    }
    // As activities/pipeline/data.ts builds the folder (cut at 200 characters), less the run id.
    prefixes.add(`validation/${run.workflowId.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 200)}`);
  }
  return [...prefixes];
}

export interface ObjectFacts {
  readonly key: string;
  readonly bytes: number;
  readonly lastModified: Date | undefined;
}

/** An object no row names, old enough and shaped like the platform's own, outside running pipelines' prefixes. */
export function isOrphan(
  object: ObjectFacts,
  context: {
    readonly namedUris: ReadonlySet<string>;
    readonly bucket: string;
    readonly busyPrefixes: readonly string[];
  },
  policy: RetentionPolicy,
): boolean {
  return (
    isPlatformKey(object.key) &&
    !context.namedUris.has(`s3://${context.bucket}/${object.key}`) &&
    // No modification time: the store cannot say how old it is, so it is not judged old.
    object.lastModified !== undefined &&
    object.lastModified < graceCutoff(policy) &&
    !isBusy(object.key, context.busyPrefixes)
  );
}

/** Up to `size` items, for the samples the output shows (the table shows two of them). */
export function sample<T>(items: readonly T[], size = 20): T[] {
  return items.slice(0, size);
}
