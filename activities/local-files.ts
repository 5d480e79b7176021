/** This worker's local files: temporary folders and checked local copies of immutable artifacts. */
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ArtifactRef } from '../contracts/artifacts.js';
import { errorTypes } from '../contracts/errors.js';
import type { ActivityDependencies } from './dependencies.js';

export async function temporaryDirectory(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const directory = await mkdtemp(path.join(os.tmpdir(), `mlops-${prefix}-`));
  return { path: directory, remove: () => rm(directory, { recursive: true, force: true }) };
}

const LOCAL_CACHE = path.join(os.tmpdir(), 'mlops-artifact-cache');
const LOCAL_CACHE_BYTES = 4 * 1024 ** 3;

/**
 * A local copy of an immutable artifact, checked against its sha256. Copies are kept per worker by
 * content hash (the next stage on this worker reuses them) and the oldest go beyond 4 GiB.
 */
export async function localCopy(
  deps: ActivityDependencies,
  ref: ArtifactRef,
  extension: string,
): Promise<string> {
  await mkdir(LOCAL_CACHE, { recursive: true, mode: 0o700 });
  const target = path.join(LOCAL_CACHE, `${ref.sha256}${extension}`);
  if (existsSync(target)) {
    const now = new Date();
    await utimes(target, now, now);
    return target;
  }
  const partial = `${target}.${process.pid}.${Date.now()}.partial`;
  const signal = Context.current().cancellationSignal;
  try {
    const sha256 = await streamToFile(
      await deps.artifacts.get(deps.artifacts.keyOf(ref.uri), { signal }),
      partial,
      signal,
    );
    if (sha256 !== ref.sha256) {
      throw ApplicationFailure.create({
        ...errorTypes.integrityMismatch,
        message: `${ref.uri} has sha256 ${sha256}, expected ${ref.sha256}`,
      });
    }
    await rename(partial, target);
  } finally {
    await rm(partial, { force: true });
  }
  await trimLocalCache();
  return target;
}

async function trimLocalCache(): Promise<void> {
  const files = await Promise.all(
    (await readdir(LOCAL_CACHE))
      .filter((name) => !name.endsWith('.partial'))
      .map(async (name) => ({
        file: path.join(LOCAL_CACHE, name),
        info: await stat(path.join(LOCAL_CACHE, name)),
      })),
  );
  let total = files.reduce((sum, entry) => sum + entry.info.size, 0);
  for (const entry of files.sort((a, b) => a.info.mtimeMs - b.info.mtimeMs)) {
    if (total <= LOCAL_CACHE_BYTES) break;
    await rm(entry.file, { force: true });
    total -= entry.info.size;
  }
}

/** Writes `body` to `file`, hashing on the way; returns the sha256 of the bytes written. */
export async function streamToFile(body: Readable, file: string, signal: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  await pipeline(body, hashing, createWriteStream(file), { signal });
  return hash.digest('hex');
}
