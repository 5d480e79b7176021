/**
 * What the cluster script sets up in a started cluster's PostgreSQL and Temporal server: the
 * `temporal` role, its two databases and their schema (Temporal's own SQL tool), the namespace and
 * the platform's search attributes (scripts/cluster/cluster.ts starts and stops the processes).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import proto from '@temporalio/proto';
import pg from 'pg';
import { platformSearchAttributes } from '../../contracts/search-attributes.js';
import { waitUntil } from '../../stack/processes.js';
import { probeTemporal } from '../../stack/temporal-server.js';
import type { TemporalServerBuild } from './server-build.js';

const run = promisify(execFile);

export const CLUSTER_NAMESPACE = 'default';
export const DATABASES = { persistence: 'temporal', visibility: 'temporal_visibility' } as const;
export const TEMPORAL_ROLE = 'temporal';
const RETENTION = '3 days';
const { IndexedValueType } = proto.temporal.api.enums.v1;

/**
 * The `temporal` role and its two databases (made once), then Temporal's SQL tool: the base schema
 * on a new database, and every versioned update not yet applied (a no-op when up to date; how a
 * server upgrade migrates its data). Returns the role's URL of the visibility database.
 */
export async function prepareDatabases(
  adminUrl: string,
  password: string,
  build: TemporalServerBuild,
  log: (line: string) => void,
): Promise<string> {
  // Where PostgreSQL listens now (the settings' port, or the free one it took when that was 0).
  const port = new URL(adminUrl).port;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const created: string[] = [];
  try {
    const role = pg.escapeIdentifier(TEMPORAL_ROLE);
    const hasRole = await admin.query('select 1 from pg_roles where rolname = $1', [TEMPORAL_ROLE]);
    if (hasRole.rowCount === 0) await admin.query(`create role ${role} login`);
    await admin.query(`alter role ${role} password ${pg.escapeLiteral(password)}`);
    for (const database of Object.values(DATABASES)) {
      const exists = await admin.query('select 1 from pg_database where datname = $1', [database]);
      if (exists.rowCount !== 0) continue;
      await admin.query(`create database ${pg.escapeIdentifier(database)} owner ${role}`);
      created.push(database);
    }
  } finally {
    await admin.end();
  }
  const env = {
    ...process.env,
    SQL_PLUGIN: 'postgres12',
    SQL_HOST: '127.0.0.1',
    SQL_PORT: port,
    SQL_USER: TEMPORAL_ROLE,
    SQL_PASSWORD: password,
  };
  const sqlTool = async (database: string, args: string[]) => {
    await run(build.sqlTool, args, { env: { ...env, SQL_DATABASE: database }, timeout: 300_000 }).catch(
      (error: Error & { stderr?: string }) => {
        throw new Error(
          `temporal-sql-tool ${args[0]} on ${database} failed: ${error.stderr || error.message}`,
        );
      },
    );
  };
  for (const [kind, database] of Object.entries(DATABASES)) {
    const folder = kind === 'persistence' ? 'temporal' : 'visibility';
    if (created.includes(database)) {
      log(`applying Temporal's schema to the new database ${database}`);
      await sqlTool(database, ['setup-schema', '-v', '0.0']);
    }
    await sqlTool(database, ['update-schema', '-d', path.join(build.schemaDirectory, folder, 'versioned')]);
  }
  return `postgres://${TEMPORAL_ROLE}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASES.visibility}`;
}

/**
 * The namespace (once; its retention as docker-compose.yml's setup job would give it) and every
 * search attribute the platform's workflows set, then waits until a query naming them is accepted:
 * the frontend validates queries against a cache the operator API does not refresh at once.
 */
export async function registerNamespace(address: string, log: (line: string) => void): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const namespace = CLUSTER_NAMESPACE;
    const known = await connection.workflowService.describeNamespace({ namespace }).catch(() => undefined);
    if (!known) {
      log(`registering the namespace ${namespace}`);
      await connection.workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msToTs(RETENTION),
      });
    }
    await waitUntil(
      `the namespace ${namespace}`,
      () => probeTemporal(address, namespace).catch(() => false),
      {
        timeoutMs: 60_000,
        intervalMs: 250,
      },
    );
    // Each service has its own namespace cache: the operator API may not know the namespace yet.
    await settle('the search attributes to be added', async () => {
      const registered = await connection.operatorService.listSearchAttributes({ namespace });
      const missing = platformSearchAttributes.filter(
        (key) => !(key.name in (registered.customAttributes ?? {})),
      );
      if (missing.length === 0) return true;
      log(`adding the search attributes ${missing.map((key) => key.name).join(', ')}`);
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(
          missing.map((key) => [key.name, IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`]]),
        ),
      });
      return false;
    });
    const query = platformSearchAttributes.map((key) => `${key.name} = "probe"`).join(' AND ');
    await settle('the search attributes to be queryable', async () => {
      await connection.workflowService.countWorkflowExecutions({ namespace, query });
      return true;
    });
  } finally {
    await connection.close();
  }
}

/** Retries `attempt` (false or an error: not yet) for up to two minutes; the last error says why not. */
async function settle(what: string, attempt: () => Promise<boolean>): Promise<void> {
  let last: unknown;
  await waitUntil(
    what,
    async () => {
      try {
        return await attempt();
      } catch (error) {
        last = error;
        return false;
      }
    },
    { timeoutMs: 120_000, intervalMs: 500 },
  ).catch((error: Error) => {
    throw new Error(`${error.message}${last ? ` (last: ${(last as Error).message})` : ''}`);
  });
}
