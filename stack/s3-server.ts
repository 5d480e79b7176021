import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ArtifactStore } from '../storage/artifact-store.js';
import { startChild } from './child-process.js';
import { freePort, hostPort, waitUntil } from './processes.js';

export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface S3Server {
  readonly pid: number;
  readonly endpoint: string;
  /** The stack's own key pair: every request must be signed with it (s3-signature.mjs). */
  readonly credentials: S3Credentials;
}

/**
 * The embedded S3's key pair, made at random on the first start and kept (mode 0600) beside its
 * data, so objects stay readable across restarts and nobody else on the machine knows the secret.
 */
export async function embeddedS3Credentials(file: string): Promise<S3Credentials> {
  try {
    const stored = JSON.parse(await readFile(file, 'utf8')) as S3Credentials;
    if (stored.accessKeyId && stored.secretAccessKey) return stored;
  } catch (error) {
    if (!(error instanceof SyntaxError) && (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const made = {
    accessKeyId: `MLOPS${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64url'),
  };
  await writeFile(file, `${JSON.stringify(made)}\n`, { mode: 0o600 });
  return made;
}

/**
 * The embedded S3 is s3rver, a development dependency: unmaintained since 2021 and pulling `dicer`,
 * whose advisory has no fix, it stays out of production installs (`npm ci --omit=dev`, the image),
 * where S3_ENDPOINT names a real S3. Throws what to do where it is not installed.
 */
export function assertEmbeddedS3Installed(
  resolve: (id: string) => string = createRequire(import.meta.url).resolve,
): void {
  try {
    resolve('s3rver');
  } catch {
    throw new Error(
      'the embedded S3 server (s3rver, a development dependency) is not installed here, as in a production install (npm ci --omit=dev): set S3_ENDPOINT (credentials through AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or the AWS chain) to an S3-compatible service, or install the development dependencies (npm ci)',
    );
  }
}

export async function startS3Server(options: {
  directory: string;
  port: number;
  bucket: string;
  region: string;
  logFile: string;
  /** Where it listens (default loopback); every request must be signed with the stack's key anyway. */
  host?: string;
}): Promise<S3Server> {
  assertEmbeddedS3Installed();
  await mkdir(options.directory, { recursive: true });
  const credentialsFile = path.join(path.dirname(options.directory), 's3-credentials.json');
  const credentials = await embeddedS3Credentials(credentialsFile);
  const port = options.port || (await freePort(options.host));
  const child = await startChild<{ port: number }>(
    './s3-server.mjs',
    [options.directory, String(port), options.bucket, credentialsFile, options.host ?? '127.0.0.1'],
    {
      name: 'S3 server',
      logFile: options.logFile,
      timeoutMs: 30_000,
    },
  );
  const endpoint = `http://${hostPort(options.host ?? '127.0.0.1', child.ready.port)}`;
  const store = ArtifactStore.fromSettings({
    endpoint,
    bucket: options.bucket,
    region: options.region,
    forcePathStyle: true,
    credentials,
  });
  try {
    await waitUntil('S3 bucket', () => store.ensureBucket().then(() => true), {
      timeoutMs: 30_000,
      abortIf: child.exited,
    });
  } finally {
    store.client.destroy();
  }
  return { pid: child.process.pid ?? 0, endpoint, credentials };
}
