import type { DatasetVersionRef } from '../../contracts/pipeline.js';
import type { SnapshotResult } from '../../data/index.js';
import { upsertArtifact } from '../../db/queries/artifacts.js';
import { upsertDatasetVersion } from '../../db/queries/datasets.js';
import { artifactKeys } from '../../storage/artifact-store.js';
import type { ActivityDependencies } from '../dependencies.js';

export interface DatasetSnapshot {
  readonly name: string;
  /** The snapshot's Parquet file on this worker's disk. */
  readonly parquetPath: string;
  readonly snapshot: SnapshotResult;
  /** Where the rows came from, kept with the version for lineage. */
  readonly source: Record<string, unknown>;
  readonly signal?: AbortSignal;
}

/**
 * Stores a Parquet snapshot by its content and records it as a dataset version and an artifact.
 * The same content under the same name is the same version, so a retry writes nothing new.
 */
export async function storeDatasetVersion(
  deps: ActivityDependencies,
  dataset: DatasetSnapshot,
): Promise<DatasetVersionRef> {
  const { snapshot } = dataset;
  const stored = await deps.artifacts.putFileContentAddressed(
    artifactKeys.dataset(dataset.name),
    '.parquet',
    dataset.parquetPath,
    {
      contentType: 'application/vnd.apache.parquet',
      ...(dataset.signal ? { signal: dataset.signal } : {}),
    },
  );
  const version = await upsertDatasetVersion(deps.db, {
    datasetName: dataset.name,
    sha256: stored.sha256,
    uri: stored.uri,
    rows: snapshot.rows,
    bytes: stored.bytes,
    schema: { columns: snapshot.columns },
    profile: { ...snapshot.profile },
    source: dataset.source,
  });
  await upsertArtifact(deps.db, {
    uri: stored.uri,
    sha256: stored.sha256,
    bytes: stored.bytes,
    kind: 'dataset',
  });
  return {
    uri: stored.uri,
    sha256: stored.sha256,
    bytes: stored.bytes,
    datasetVersionId: version.id,
    name: dataset.name,
    rows: snapshot.rows,
  };
}
