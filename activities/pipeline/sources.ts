import path from 'node:path';
import type { Readable } from 'node:stream';
import { GetObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { Context } from '@temporalio/activity';
import { checkS3Source, DatasetInputError, resolveLocalDataPath } from '../../data/index.js';
import { hashFile } from '../../storage/artifact-store.js';
import type { ActivityDependencies } from '../dependencies.js';
import { streamToFile } from '../local-files.js';
import { getHttpSource } from './http-source.js';

export interface FetchedSource {
  /** A local file DuckDB can read. */
  readonly path: string;
  /** sha256 of the source's bytes: what the ingest cache key is made of. */
  readonly sha256: string;
}

/**
 * Brings a dataset URI to a local file: local paths are read in place (only under the working
 * directory and MLOPS_DATA_ROOTS, never in a state folder); s3:// objects (from the buckets the
 * source policy names) and http(s):// URLs (public addresses unless allow-listed) are streamed to
 * `directory` and hashed on the way. DuckDB itself never touches the network.
 */
export async function fetchSource(
  deps: ActivityDependencies,
  uri: string,
  directory: string,
): Promise<FetchedSource> {
  const signal = Context.current().cancellationSignal;
  const target = path.join(directory, `source${path.extname(new URL(uri, 'file:///').pathname) || '.data'}`);
  if (/^s3:\/\//i.test(uri)) {
    const { bucket, key } = checkS3Source(uri, deps.sourcePolicy);
    try {
      const response = await deps.artifacts.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), {
        abortSignal: signal,
      });
      return { path: target, sha256: await streamToFile(response.Body as Readable, target, signal) };
    } catch (error) {
      if (
        error instanceof S3ServiceException &&
        (error.$metadata.httpStatusCode === 404 || error.name === 'NoSuchKey')
      ) {
        throw new DatasetInputError(`${uri} does not exist (bucket ${bucket}, key ${key})`);
      }
      throw error;
    }
  }
  if (/^https?:\/\//i.test(uri)) {
    const response = await getHttpSource(uri, deps.sourcePolicy, signal);
    return { path: target, sha256: await streamToFile(response, target, signal) };
  }
  const local = await resolveLocalDataPath(uri, {
    workingDirectory: process.cwd(),
    allowedRoots: deps.dataRoots,
    stateFolders: deps.stateFolders,
  });
  return { path: local, sha256: await hashFile(local) };
}
