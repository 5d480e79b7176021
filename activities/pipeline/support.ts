import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ArtifactRef } from '../../contracts/artifacts.js';
import { errorTypes } from '../../contracts/errors.js';
import { upsertArtifact } from '../../db/queries/artifacts.js';
import type { ActivityDependencies } from '../dependencies.js';

/**
 * Runs `work` while heartbeating every few seconds, so a long DuckDB or training step keeps its
 * activity alive and hears cancellation. `details` is read at each beat (progress so far).
 */
export async function withHeartbeat<T>(
  work: () => Promise<T>,
  details: () => unknown = () => undefined,
): Promise<T> {
  const context = Context.current();
  context.heartbeat(details());
  const timer = setInterval(() => context.heartbeat(details()), 5000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/**
 * Bad input raised by the pure layers (data/, ml/) becomes a non-retryable failure the user reads.
 * Failure messages are stored in the workflow history, so quoted data values (DuckDB quotes the
 * offending cell: "Could not convert string 'x'") are masked: they may be personal data.
 */
export function asInputFailure(error: unknown): unknown {
  const failure = error as { name?: string; message?: string };
  if (
    failure?.name === 'DatasetInputError' ||
    failure?.name === 'TrainingInputError' ||
    failure?.name === 'ModelDocumentError' ||
    failure?.name === 'MetricsInputError'
  ) {
    return ApplicationFailure.create({
      ...errorTypes.invalidInput,
      message: maskQuotedValues(String(failure.message)),
    });
  }
  return error;
}

function maskQuotedValues(message: string): string {
  return message.replace(/'(?:[^'\\]|\\.)*'/g, "'…'");
}

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
