import { mkdir } from 'node:fs/promises';
import { ArtifactStore } from '../storage/artifact-store.js';
import { startChild } from './child-process.js';
import { freePort, waitUntil } from './processes.js';

/** s3rver checks signatures against this fixed account; clients of the embedded stack use it. */
export const EMBEDDED_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface S3Server {
  readonly pid: number;
  readonly endpoint: string;
}

export async function startS3Server(options: {
  directory: string;
  port: number;
  bucket: string;
  region: string;
  logFile: string;
}): Promise<S3Server> {
  await mkdir(options.directory, { recursive: true });
  const port = options.port || (await freePort());
  const child = await startChild<{ port: number }>(
    './s3-server.mjs',
    [options.directory, String(port), options.bucket],
    {
      name: 'S3 server',
      logFile: options.logFile,
      timeoutMs: 30_000,
    },
  );
  const endpoint = `http://127.0.0.1:${child.ready.port}`;
  const store = ArtifactStore.fromSettings({
    endpoint,
    bucket: options.bucket,
    region: options.region,
    forcePathStyle: true,
    credentials: EMBEDDED_S3_CREDENTIALS,
  });
  try {
    await waitUntil('S3 bucket', () => store.ensureBucket().then(() => true), {
      timeoutMs: 30_000,
      abortIf: child.exited,
    });
  } finally {
    store.client.destroy();
  }
  return { pid: child.process.pid ?? 0, endpoint };
}
