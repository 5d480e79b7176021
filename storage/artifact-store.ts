import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NotFound,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { ArtifactRef } from '../contracts/artifacts.js';
import { assertSafeArtifactKey, keySegment } from './keys.js';

export interface S3Settings {
  readonly endpoint: string | undefined;
  readonly bucket: string;
  readonly region: string;
  readonly forcePathStyle: boolean;
  /** Explicit keys (the embedded server's); unset: the AWS SDK's standard credential chain. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** A connection that sends or receives nothing this long fails, and the SDK retries it (default 30 s). */
  readonly idleTimeoutMs?: number;
}

/**
 * Without these the SDK waits on a stalled S3 forever (no socket timeout by default): a 47 s
 * stall held a stage with no error and no retry. Connecting takes milliseconds when S3 is up.
 */
const CONNECT_TIMEOUT_MS = 10_000;
const IDLE_TIMEOUT_MS = 30_000;

export interface StoredObject extends ArtifactRef {
  readonly key: string;
}

export interface ObjectInfo {
  readonly key: string;
  readonly bytes: number;
  /** From the object's metadata; present for everything this store wrote. */
  readonly sha256: string | undefined;
  readonly lastModified: Date | undefined;
}

export type Body = Readable | Buffer | Uint8Array | string;

interface PutOptions {
  readonly contentType?: string;
  readonly signal?: AbortSignal;
}

// Node.js 20 still runs the platform (past its end of life; 22 and 24 are supported): the SDK's
// notice of its Node 22 requirement would otherwise open the output of every command, worker and
// test that touches S3 there.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// 8 MiB parts, two in flight: a 40 GB upload holds about 16 MiB in memory.
const PART_SIZE = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 2;

/**
 * The platform's S3-compatible artifact store. Uploads stream (multipart beyond one part) and hash
 * while streaming; content-addressed puts are idempotent: the same bytes land once, under one key.
 */
export class ArtifactStore {
  constructor(
    readonly client: S3Client,
    readonly bucket: string,
  ) {}

  static fromSettings(settings: S3Settings): ArtifactStore {
    const client = new S3Client({
      endpoint: settings.endpoint,
      region: settings.region,
      forcePathStyle: settings.forcePathStyle,
      // A copy: the SDK annotates the object it is given.
      credentials: settings.credentials ? { ...settings.credentials } : undefined,
      // MinIO and s3rver predate the flexible-checksum headers newer SDKs send by default.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: {
        connectionTimeout: Math.min(CONNECT_TIMEOUT_MS, settings.idleTimeoutMs ?? CONNECT_TIMEOUT_MS),
        // Inactivity, not duration: a long transfer that keeps moving is fine, a silent socket is not
        // (streamed bodies too). The SDK retries the TimeoutError it raises.
        socketTimeout: settings.idleTimeoutMs ?? IDLE_TIMEOUT_MS,
      },
    });
    return new ArtifactStore(client, settings.bucket);
  }

  uriFor(key: string): string {
    return `s3://${this.bucket}/${assertSafeArtifactKey(key)}`;
  }

  /** The key of an `s3://` URI in this store's bucket. */
  keyOf(uri: string): string {
    const prefix = `s3://${this.bucket}/`;
    if (!uri.startsWith(prefix)) throw new Error(`${uri} is not in this store's bucket (${prefix})`);
    return assertSafeArtifactKey(uri.slice(prefix.length));
  }

  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      if (!isMissing(error)) throw error;
      try {
        await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
      } catch (createError) {
        // Another process created it between our check and our create.
        if (!(
          createError instanceof S3ServiceException &&
          /BucketAlreadyOwnedByYou|BucketAlreadyExists/.test(createError.name)
        )) {
          throw createError;
        }
      }
    }
  }

  /** Streams `body` to `key`, hashing on the way; the sha256 is returned (not stored as metadata). */
  async put(key: string, body: Body, options: PutOptions = {}): Promise<StoredObject> {
    return this.upload(assertSafeArtifactKey(key), body, undefined, options);
  }

  /**
   * Stores `body` under `<prefix>/<sha256><extension>`. The bytes are spooled to a temporary file
   * while hashing (the key depends on the hash), then uploaded unless an object with that hash is
   * already there: retried activities and repeated runs leave exactly one object.
   */
  async putContentAddressed(
    prefix: string,
    extension: string,
    body: Body,
    options: PutOptions = {},
  ): Promise<StoredObject> {
    const spoolDirectory = await mkdtemp(path.join(os.tmpdir(), 'mlops-artifact-'));
    try {
      const spoolPath = path.join(spoolDirectory, 'body');
      await pipeline(toReadable(body), createWriteStream(spoolPath), { signal: options.signal });
      return await this.putFileContentAddressed(prefix, extension, spoolPath, options);
    } finally {
      await rm(spoolDirectory, { recursive: true, force: true });
    }
  }

  /** Like putContentAddressed for a file already on disk (DuckDB's Parquet output, a model file). */
  async putFileContentAddressed(
    prefix: string,
    extension: string,
    filePath: string,
    options: PutOptions = {},
  ): Promise<StoredObject> {
    const sha256 = await hashFile(filePath, options.signal);
    const key = assertSafeArtifactKey(`${prefix}/${sha256}${extension}`);
    const existing = await this.head(key);
    if (existing?.sha256 === sha256) return { key, uri: this.uriFor(key), sha256, bytes: existing.bytes };
    return this.upload(key, createReadStream(filePath), sha256, options);
  }

  /** The object's bytes as a stream; a missing key is an ArtifactNotFoundError. */
  async get(key: string, options: { signal?: AbortSignal } = {}): Promise<Readable> {
    return (await this.open(key, options)).body;
  }

  /** Reads a small object whole; refuses anything above `maxBytes` so a large one is never buffered. */
  async getBuffer(
    key: string,
    maxBytes = 64 * 1024 * 1024,
    options: { signal?: AbortSignal } = {},
  ): Promise<Buffer> {
    const { body, bytes } = await this.open(key, options);
    if (bytes > maxBytes) {
      body.destroy();
      throw new Error(`${this.uriFor(key)} is ${bytes} bytes, more than ${maxBytes}; stream it with get()`);
    }
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks);
  }

  /** One GET: the body and its length from the response headers. */
  private async open(
    key: string,
    options: { signal?: AbortSignal },
  ): Promise<{ body: Readable; bytes: number }> {
    let response;
    try {
      response = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: assertSafeArtifactKey(key) }),
        { abortSignal: options.signal },
      );
    } catch (error) {
      if (isMissing(error)) throw new ArtifactNotFoundError(this.uriFor(key));
      throw error;
    }
    if (!(response.Body instanceof Readable)) throw new Error(`S3 returned no stream for ${key}`);
    return { body: response.Body, bytes: response.ContentLength ?? 0 };
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const response = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: assertSafeArtifactKey(key) }),
      );
      return {
        key,
        bytes: response.ContentLength ?? 0,
        sha256: response.Metadata?.sha256,
        lastModified: response.LastModified,
      };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.head(key)) !== undefined;
  }

  /** Every object under `prefix`, page by page; nothing is collected in memory. */
  async *list(prefix: string): AsyncGenerator<ObjectInfo> {
    if (prefix !== '') assertSafeArtifactKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
    let continuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          ContinuationToken: continuationToken,
        }),
      );
      for (const item of page.Contents ?? []) {
        if (item.Key)
          yield { key: item.Key, bytes: item.Size ?? 0, sha256: undefined, lastModified: item.LastModified };
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: assertSafeArtifactKey(key) }));
  }

  private async upload(
    key: string,
    body: Body,
    knownSha256: string | undefined,
    options: PutOptions,
  ): Promise<StoredObject> {
    const hash = createHash('sha256');
    let bytes = 0;
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        bytes += chunk.length;
        callback(null, chunk);
      },
    });
    const source = toReadable(body);
    source.on('error', (error) => hashing.destroy(error));
    const upload = new Upload({
      client: this.client,
      partSize: PART_SIZE,
      queueSize: PARTS_IN_FLIGHT,
      leavePartsOnError: false,
      params: {
        Bucket: this.bucket,
        Key: key,
        Body: source.pipe(hashing),
        ContentType: options.contentType ?? 'application/octet-stream',
        Metadata: knownSha256 ? { sha256: knownSha256 } : undefined,
      },
    });
    const abort = () => void upload.abort();
    options.signal?.addEventListener('abort', abort, { once: true });
    try {
      await upload.done();
    } finally {
      options.signal?.removeEventListener('abort', abort);
    }
    const sha256 = hash.digest('hex');
    if (knownSha256 && knownSha256 !== sha256) {
      await this.delete(key);
      throw new Error(`${key} changed while uploading (expected sha256 ${knownSha256}, streamed ${sha256})`);
    }
    return { key, uri: this.uriFor(key), sha256, bytes };
  }
}

export class ArtifactNotFoundError extends Error {
  override readonly name = 'ArtifactNotFoundError';
  constructor(readonly uri: string) {
    super(`artifact ${uri} does not exist`);
  }
}

export async function hashFile(filePath: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(filePath), hash, { signal });
  return hash.digest('hex');
}

/** Readable key prefixes for the artifacts the platform stores. */
/**
 * Every prefix the platform stores objects under, built from names through keySegment, so no
 * name (a pipeline's, a dataset's, a run's) can escape its prefix. Content-addressed objects go
 * below these as `<sha256><extension>`.
 */
export const artifactKeys = {
  dataset: (name: string) => `datasets/${keySegment(name)}`,
  split: (datasetName: string) => `splits/${keySegment(datasetName)}`,
  validationReport: (runFolder: string) => `validation/${keySegment(runFolder)}`,
  modelFile: (pipelineName: string) => `models/${keySegment(pipelineName)}/files`,
  checkpoint: (pipelineName: string) => `checkpoints/${keySegment(pipelineName)}`,
  trainerCode: (pipelineName: string) => `code/${keySegment(pipelineName)}`,
  trainerLog: (pipelineName: string) => `logs/${keySegment(pipelineName)}`,
  trainingCurve: (pipelineName: string) => `curves/${keySegment(pipelineName)}`,
  evaluation: (pipelineName: string) => `evaluations/${keySegment(pipelineName)}`,
  report: (name: string, version: number) => `reports/${keySegment(name)}/${version}`,
};

function toReadable(body: Body): Readable {
  if (body instanceof Readable) return body;
  const stream = new PassThrough();
  stream.end(typeof body === 'string' ? Buffer.from(body) : body);
  return stream;
}

function isMissing(error: unknown): boolean {
  if (error instanceof NotFound) return true;
  if (error instanceof S3ServiceException) {
    return error.$metadata.httpStatusCode === 404 || /NotFound|NoSuchKey|NoSuchBucket/.test(error.name);
  }
  return false;
}
