import { createReadStream } from 'node:fs';
import { checkScoresDestination } from '../../data/index.js';
import { ArtifactStore } from '../../storage/artifact-store.js';
import type { ActivityDependencies } from '../dependencies.js';

/** The output of a batch: a store on its bucket and the fixed keys of its parts and manifest. */
export function outputLocation(deps: ActivityDependencies, outputUri: string) {
  checkScoresDestination(outputUri, deps.sourcePolicy);
  const [, bucket, prefix] = /^s3:\/\/([^/]+)\/(.+?)\/?$/.exec(outputUri)!;
  // Same client and credentials as the platform's own bucket.
  const store =
    bucket === deps.artifacts.bucket ? deps.artifacts : new ArtifactStore(deps.artifacts.client, bucket);
  return {
    store: {
      putFile: (key: string, file: string) =>
        store.put(key, createReadStream(file), { contentType: 'application/vnd.apache.parquet' }),
      putJson: (key: string, text: string) => store.put(key, text, { contentType: 'application/json' }),
    },
    partKey: (index: number) => `${prefix}/part-${String(index).padStart(5, '0')}.parquet`,
    manifestKey: `${prefix}/_manifest.json`,
  };
}
