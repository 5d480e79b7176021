import type { ArtifactRef } from '../contracts/artifacts.js';
import { upsertArtifact } from '../db/queries/artifacts.js';
import type { ActivityDependencies } from './dependencies.js';

/**
 * Stores a JSON document by its content and registers it as an artifact of `kind`. The reference
 * leaves out the store's key: it is what stage outputs and workflow histories carry.
 */
export async function storeJsonArtifact(
  deps: ActivityDependencies,
  prefix: string,
  kind: string,
  json: string,
): Promise<ArtifactRef> {
  const stored = await deps.artifacts.putContentAddressed(prefix, '.json', json, {
    contentType: 'application/json',
  });
  const ref = { uri: stored.uri, sha256: stored.sha256, bytes: stored.bytes };
  await upsertArtifact(deps.db, { ...ref, kind });
  return ref;
}
