import path from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { Context } from '@temporalio/activity';
import { DatasetInputError, resolveLocalDataPath } from '../../data/index.js';
import { hashFile } from '../../storage/artifact-store.js';
import type { ActivityDependencies } from '../dependencies.js';
import { streamToFile } from '../local-files.js';

export interface FetchedSource {
  /** A local file DuckDB can read. */
  readonly path: string;
  /** sha256 of the source's bytes: what the ingest cache key is made of. */
  readonly sha256: string;
}

/**
 * Brings a dataset URI to a local file: local paths are read in place (only under the working
 * directory and MLOPS_DATA_ROOTS); s3:// objects and http(s):// URLs are streamed to `directory`
 * and hashed on the way. DuckDB itself never touches the network.
 */
export async function fetchSource(
  deps: ActivityDependencies,
  uri: string,
  directory: string,
): Promise<FetchedSource> {
  const signal = Context.current().cancellationSignal;
  const target = path.join(directory, `source${path.extname(new URL(uri, 'file:///').pathname) || '.data'}`);
  if (/^s3:\/\//i.test(uri)) {
    const { bucket, key } = parseS3Uri(uri);
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
    const response = await fetch(uri, { signal, redirect: 'follow' });
    if (response.status >= 400 && response.status < 500)
      throw new DatasetInputError(`GET ${uri} answered ${response.status} ${response.statusText}`);
    if (!response.ok || !response.body)
      throw new Error(`GET ${uri} answered ${response.status} ${response.statusText}`);
    return {
      path: target,
      sha256: await streamToFile(Readable.fromWeb(response.body as never), target, signal),
    };
  }
  const local = await resolveLocalDataPath(uri, {
    workingDirectory: process.cwd(),
    allowedRoots: deps.dataRoots,
  });
  return { path: local, sha256: await hashFile(local) };
}

function parseS3Uri(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/i.exec(uri);
  if (!match) throw new DatasetInputError(`${uri} is not an s3://bucket/key URI`);
  return { bucket: match[1], key: decodeURIComponent(match[2]) };
}
