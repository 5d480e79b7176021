import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { getHttpSource } from '../../activities/pipeline/http-source.js';
import { checkS3Source, DatasetInputError, isPublicAddress, resolveLocalDataPath } from '../../data/index.js';
import { pipelineRuns } from '../../db/schema.js';
import { exampleSpec, runPipeline } from '../support/pipeline.js';
import { startTestPlatform, testConnections, type TestPlatform } from '../support/platform.js';

/**
 * Dataset URIs are the spec's way into the worker's files and network. Each attack here must be
 * refused with a DatasetInputError that says what to do, before a byte is read.
 */
// The run's stack (MLOPS_TEST_HOME moves it; test/global-setup.ts).
const stackHome = inject('stackHome');
const secretFiles = ['s3-credentials.json', 'env', 'payload-keys'].map((file) => path.join(stackHome, file));

describe('local paths into the platform state', () => {
  let dataRoot: string;
  beforeAll(async () => {
    dataRoot = await mkdtemp(path.join(os.tmpdir(), 'mlops-roots-'));
    await symlink(path.join(stackHome, 's3-credentials.json'), path.join(dataRoot, 'innocent.csv'));
  });
  afterAll(() => rm(dataRoot, { recursive: true, force: true }));

  const resolvePath = (uri: string) =>
    resolveLocalDataPath(uri, {
      workingDirectory: process.cwd(),
      allowedRoots: [dataRoot],
      stateFolders: [path.resolve('.mlops')],
    });

  it.each([
    './.mlops/test/s3-credentials.json',
    '.mlops/test/env',
    `file://${path.join(stackHome, 'payload-keys')}`,
    'data/../.mlops/test/s3-credentials.json',
  ])('refuses %s as a dataset', async (uri) => {
    await expect(resolvePath(uri)).rejects.toThrow(/inside the platform's state folder .*never read as data/);
  });

  it('refuses a symlink in a data root that points into the state folder', async () => {
    await expect(resolvePath(path.join(dataRoot, 'innocent.csv'))).rejects.toThrow(/state folder/);
  });

  it('refuses a state folder configured elsewhere (MLOPS_HOME), wherever it is', async () => {
    await expect(
      resolveLocalDataPath(path.join(dataRoot, 'innocent.csv'), {
        workingDirectory: process.cwd(),
        allowedRoots: [dataRoot],
        stateFolders: [dataRoot],
      }),
    ).rejects.toThrow(/state folder/);
  });

  it.each(['%2e%2e%2f%2e%2e%2fetc/passwd', 'file:///etc/passwd', '/etc/passwd', '../../../../etc/passwd'])(
    'keeps %s out, encoded or not',
    async (uri) => {
      await expect(resolvePath(uri)).rejects.toThrow(DatasetInputError);
    },
  );
});

describe('s3:// sources', () => {
  const policy = { platformBucket: 'mlops', dataBuckets: ['raw', 'shared/exports'], httpAllow: [] };

  it('reads the platform bucket only under datasets/, and the configured buckets and prefixes', () => {
    expect(checkS3Source('s3://mlops/datasets/penguins/abc.parquet', policy)).toEqual({
      bucket: 'mlops',
      key: 'datasets/penguins/abc.parquet',
    });
    expect(checkS3Source('s3://raw/2026/data%20file.csv', policy).key).toBe('2026/data file.csv');
    expect(checkS3Source('s3://shared/exports/a.csv', policy).key).toBe('exports/a.csv');
  });

  it.each([
    ['another bucket', 's3://other-team/data.csv', /outside the buckets .*MLOPS_DATA_BUCKETS/],
    ['models in the platform bucket', 's3://mlops/models/champion/files/abc.json', /outside the buckets/],
    ['a prefix escaped with ..', 's3://shared/exports/../secrets/a.csv', /path traversal/],
    ['an encoded ..', 's3://mlops/datasets/%2e%2e/models/x.json', /path traversal/],
    ['a double-encoded ..', 's3://mlops/datasets/%252e%252e/models/x.json', /path traversal/],
    ['a prefix look-alike', 's3://shared/exports-old/a.csv', /outside the buckets/],
    ['a query string', 's3://mlops/datasets/a.csv?versionId=1', /not an s3:\/\/bucket\/key URI/],
    ['a control character', 's3://raw/a%00.csv', /control character/],
    ['a backslash', 's3://raw/a\\..\\b.csv', /backslash/],
  ])('refuses %s', (_what, uri, message) => {
    expect(() => checkS3Source(uri, policy)).toThrow(message);
  });
});

describe('http(s) sources', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/redirect') {
        response.writeHead(302, { location: `http://127.0.0.1:${port}/secret.csv` });
        return void response.end();
      }
      response.writeHead(200, { 'content-type': 'text/csv' });
      response.end('a,b\n1,2\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  const signal = new AbortController().signal;

  it.each([
    '127.0.0.1',
    '0.0.0.0',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    'fe80::1',
    'fd00::1',
  ])('counts %s as not public', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it('counts public addresses as public', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111'])
      expect(isPublicAddress(address)).toBe(true);
  });

  it.each([
    ['a loopback address', (p: number) => `http://127.0.0.1:${p}/data.csv`],
    ['a name resolving to loopback', (p: number) => `http://localhost:${p}/data.csv`],
    ['a decimal loopback address', (p: number) => `http://2130706433:${p}/data.csv`],
    ['an IPv4-mapped IPv6 loopback', (p: number) => `http://[::ffff:127.0.0.1]:${p}/data.csv`],
    ['the unspecified address', (p: number) => `http://0.0.0.0:${p}/data.csv`],
  ])('refuses %s unless allow-listed', async (_what, uri) => {
    await expect(getHttpSource(uri(port), { httpAllow: [] }, signal)).rejects.toThrow(
      /loopback, private or link-local address.*MLOPS_HTTP_SOURCES_ALLOW/,
    );
  });

  it('fetches from an allow-listed host or range', async () => {
    for (const allow of [['127.0.0.1'], ['127.0.0.0/8']]) {
      const response = await getHttpSource(`http://127.0.0.1:${port}/data.csv`, { httpAllow: allow }, signal);
      expect(response.statusCode).toBe(200);
      response.resume();
    }
  });

  it('checks every redirect: an allowed host cannot bounce to a refused one', async () => {
    await expect(
      getHttpSource(`http://localhost:${port}/redirect`, { httpAllow: ['localhost'] }, signal),
    ).rejects.toThrow(/reaches 127\.0\.0\.1/);
  });

  it('refuses credentials in the URL and non-http redirects', async () => {
    await expect(
      getHttpSource(`http://user:pw@example.com/a.csv`, { httpAllow: [] }, signal),
    ).rejects.toThrow(/holds credentials/);
  });
});

describe('a pipeline pointed at the platform itself', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform();
  });
  afterAll(() => platform.stop());

  it.each([
    [
      'the embedded S3 listing',
      () => `${testConnections().s3.endpoint}/${testConnections().s3.bucket}/?list-type=2&x=.csv`,
    ],
    ['the stack credentials file', () => './.mlops/test/s3-credentials.json'],
    ['the stack env file', () => '.mlops/test/env'],
  ])(
    'fails on %s as invalid input, with no secret in the error or the run record',
    { timeout: 120_000 },
    async (_what, uri) => {
      const spec = exampleSpec('penguins.yaml', {
        dataset: { uri: uri(), format: 'csv' },
        validation: { columns: { species: { allowed: ['nothing'] } } },
      });
      const result = await runPipeline(platform, spec, { noCache: true });
      expect(result.status).toBe('failed');
      expect(result.error?.type).toBe('InvalidInput');
      const [row] = await platform.database.db
        .select()
        .from(pipelineRuns)
        .where(eq(pipelineRuns.workflowId, result.workflowId));
      const secrets = secretValues();
      expect(secrets.length).toBeGreaterThan(0);
      for (const secret of secrets) {
        expect(result.error?.message).not.toContain(secret);
        expect(JSON.stringify(row.error)).not.toContain(secret);
      }
    },
  );
});

describe('raw data in the scratch space', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform();
  });
  afterAll(() => platform.stop());

  it('is removed when validation fails, not left until the worker exits', { timeout: 120_000 }, async () => {
    const spec = exampleSpec('penguins.yaml', {
      validation: { columns: { Species: { allowed: ['none of them'] } } },
    });
    const result = await runPipeline(platform, spec, { noCache: true });
    expect(result.status).toBe('failed');
    expect(result.error?.type).toBe('ValidationFailed');
    const scratch = path.join(
      os.tmpdir(),
      'mlops-scratch',
      `${os.hostname().replace(/[^A-Za-z0-9.-]+/g, '-')}-${process.pid}`,
    );
    const left = await readdir(scratch).catch(() => []);
    expect(left.filter((entry) => entry.includes(spec.name))).toEqual([]);
  });
});

/** The values of the stack's secrets: the S3 secret key, every payload key, the env file's values. */
function secretValues(): string[] {
  const values: string[] = [];
  for (const file of secretFiles) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    if (file.endsWith('.json'))
      values.push((JSON.parse(text) as { secretAccessKey: string }).secretAccessKey);
    else
      for (const line of text.split('\n')) {
        const value = line.split(/[=:]/).slice(1).join('=').trim();
        if (value.length >= 16) values.push(value.replace(/^['"]|['"]$/g, ''));
      }
  }
  return values;
}
