/**
 * `npm run test:cluster [-- --only pipeline|loop|chaos]`: the pipeline, loop and chaos-lite
 * suites against a real Temporal cluster (scripts/cluster/cluster.ts; joined when `npm run
 * cluster:up` runs, else started here and stopped at the end) instead of the dev server. The rest
 * of each suite's stack (PostgreSQL for the platform, S3) stays embedded: TEMPORAL_ADDRESS alone
 * points the platform at the cluster, as it would in production.
 *
 * Each part runs vitest in a process of its own on a stack home of its own
 * (`.mlops/cluster-tests/<part>`). What the parts left in the cluster's visibility database is the
 * proof that they ran there. Prints a table; exit 1 when a suite failed.
 */
import path from 'node:path';
import pg from 'pg';
import { removeStackHome } from '../../test/support/stack-home.js';
import { printTable } from '../bench/table.js';
import { runIntegrationFiles } from '../support/vitest-run.js';
import { clusterHome, ensureCluster } from './cluster.js';

const log = (line: string) => process.stderr.write(`test:cluster: ${line}\n`);

const parts = {
  pipeline: ['test/integration/pipeline.test.ts', 'test/integration/pipeline-resume.test.ts'],
  // The loop: serve, watch live traffic, retrain on drift, canary, promote or roll back.
  loop: [
    'test/integration/demo.test.ts',
    'test/integration/monitor.test.ts',
    'test/integration/lifecycle.test.ts',
    'test/integration/worker-versioning.test.ts',
  ],
  // Killed workers, the Temporal server killed (restarted on its PostgreSQL), frozen PostgreSQL and S3.
  chaos: ['test/integration/chaos.test.ts'],
} as const;
type Part = keyof typeof parts;

const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex >= 0 ? process.argv[onlyIndex + 1] : undefined;
if (only !== undefined && !(only in parts)) {
  process.stderr.write(`--only takes ${Object.keys(parts).join(', ')}, not ${only}\n`);
  process.exit(2);
}
const chosen = (only ? [only] : Object.keys(parts)) as Part[];

const started = performance.now();
const home = clusterHome();
const cluster = await ensureCluster(home, log);
const clusterSeconds = (performance.now() - started) / 1000;
log(
  `${cluster.owned ? 'started' : 'joined'} Temporal ${cluster.state.temporalVersion} at ${cluster.state.address} ` +
    `(${clusterSeconds.toFixed(0)} s, the build included)`,
);

// Variables that would point a suite at other services than the cluster and its own stack.
const unset = [
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_PROFILE',
  'TEMPORAL_API_KEY',
  'TEMPORAL_TLS',
];
const baseEnvironment = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !unset.includes(name) && !name.startsWith('TEMPORAL_TLS_')),
);

interface Outcome {
  part: Part;
  passed: boolean;
  seconds: number;
  workflows: number;
}
const outcomes: Outcome[] = [];
try {
  for (const part of chosen) outcomes.push(await runPart(part));
} finally {
  await cluster.stop();
}

const rows = outcomes.map((outcome) => [
  outcome.part,
  outcome.passed ? 'passed' : 'FAILED',
  `${outcome.seconds.toFixed(0)} s`,
  `${outcome.workflows} workflow executions`,
  parts[outcome.part].map((file) => path.basename(file, '.test.ts')).join(', '),
]);
const header = ['suites', 'result', 'time', 'in the cluster', 'files'];
printTable(
  `test:cluster: Temporal server ${cluster.state.temporalVersion}, PostgreSQL persistence and visibility`,
  header,
  rows,
);
const total = outcomes.reduce((sum, outcome) => sum + outcome.seconds, 0);
process.stdout.write(`suites ${total.toFixed(0)} s; cluster start ${clusterSeconds.toFixed(0)} s\n`);
process.exit(outcomes.every((outcome) => outcome.passed) ? 0 : 1);

async function runPart(part: Part): Promise<Outcome> {
  const partStarted = performance.now();
  const since = new Date();
  const stackHome = path.resolve('.mlops/cluster-tests', part);
  if (!(await removeStackHome(stackHome))) {
    log(`${part}: another test:cluster run still uses ${stackHome}`);
    return { part, passed: false, seconds: 0, workflows: 0 };
  }
  log(`${part}: vitest on ${parts[part].join(' ')}`);
  let passed = await runIntegrationFiles(parts[part], {
    ...baseEnvironment,
    TEMPORAL_ADDRESS: cluster.state.address,
    TEMPORAL_NAMESPACE: cluster.state.namespace,
    MLOPS_CLUSTER_HOME: home,
    MLOPS_TEST_HOME: stackHome,
  });
  const workflows = await workflowsSince(since);
  if (workflows === 0) {
    log(`${part}: the suites left no workflow in the cluster: they did not use it`);
    passed = false;
  }
  await removeStackHome(stackHome);
  return { part, passed, seconds: (performance.now() - partStarted) / 1000, workflows };
}

/** Workflow executions the cluster's visibility store recorded since `since` (the SQL store's own table). */
async function workflowsSince(since: Date): Promise<number> {
  const client = new pg.Client({ connectionString: cluster.state.visibilityDatabaseUrl });
  await client.connect();
  try {
    const result = await client.query<{ count: string }>(
      'select count(*) from executions_visibility where start_time >= $1',
      [since],
    );
    return Number(result.rows[0].count);
  } finally {
    await client.end();
  }
}
