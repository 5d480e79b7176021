/**
 * The faults the chaos run injects into an embedded stack it owns: workers killed outright, the
 * Temporal dev server killed (its supervisor restarts it on the same SQLite file; on the cluster of
 * `npm run cluster:up`, the Temporal server, restarted on its PostgreSQL), PostgreSQL and
 * the S3 server frozen (SIGSTOP: connections stay open and nothing answers, the hardest outage to
 * notice) for a while. Each returns when the fault is over, with how long the service took to
 * answer again.
 */
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { ArtifactStore } from '../../storage/artifact-store.js';
import type { Connections } from '../../config/connections.js';
import { isAlive, waitUntil } from '../../stack/processes.js';
import { readState } from '../../stack/state.js';
import { probeTemporal } from '../../stack/temporal-server.js';
import { clusterHome, readClusterState } from '../cluster/cluster.js';

export type FaultKind = 'kill-worker' | 'restart-temporal' | 'stop-postgres' | 'stop-s3';

export interface FaultRecord {
  readonly kind: FaultKind;
  readonly atMs: number;
  /** From the end of the fault until the service answered again (workers: until the replacement started). */
  readonly recoveryMs: number;
  /**
   * The pipeline stages it hit: those the killed worker was running, or those that ran during an
   * outage (scripts/chaos/targets.ts).
   */
  readonly stages: readonly string[];
}

/** A process and every descendant of it (PostgreSQL's backends are children of the postmaster). */
function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const tree = [pid];
  for (let index = 0; index < tree.length; index += 1) tree.push(...(children.get(tree[index]) ?? []));
  return tree;
}

function signalTree(pid: number, signal: NodeJS.Signals): void {
  for (const member of processTree(pid)) {
    try {
      process.kill(member, signal);
    } catch {
      // exited meanwhile
    }
  }
}

async function servicePid(home: string, name: string): Promise<number> {
  const pid = (await readState(home))?.processes.find((entry) => entry.name === name)?.pid;
  if (!pid || !isAlive(pid)) throw new Error(`the chaos stack has no running ${name}`);
  return pid;
}

/**
 * The Temporal server to kill: the stack's dev server, or, where the stack uses a Temporal
 * configured elsewhere, the cluster `npm run cluster:up` runs at that address (its supervisor
 * starts it again on its PostgreSQL, as the stack's does on SQLite).
 */
async function temporalServerPid(home: string, connections: Connections): Promise<number> {
  const embedded = (await readState(home))?.processes.some((entry) => entry.name === 'temporal');
  if (embedded) return servicePid(home, 'temporal');
  const cluster = await readClusterState(clusterHome());
  if (cluster?.address === connections.temporal.address && isAlive(cluster.serverPid))
    return cluster.serverPid;
  throw new Error(
    `the chaos run restarts Temporal, and ${connections.temporal.address} is neither the stack's dev server ` +
      `nor a cluster of npm run cluster:up under ${clusterHome()} (MLOPS_CLUSTER_HOME)`,
  );
}

async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000, query_timeout: 1000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function s3Answers(connections: Connections): Promise<boolean> {
  const store = ArtifactStore.fromSettings({ ...connections.s3, idleTimeoutMs: 1000 });
  try {
    await store.ensureBucket();
    return true;
  } catch {
    return false;
  } finally {
    store.client.destroy();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function timeToAnswer(probe: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  await waitUntil('the service to answer again', probe, { timeoutMs: 180_000, intervalMs: 200 });
  return performance.now() - started;
}

export async function restartTemporal(home: string, connections: Connections): Promise<number> {
  process.kill(await temporalServerPid(home, connections), 'SIGKILL');
  return timeToAnswer(() =>
    probeTemporal(connections.temporal.address, connections.temporal.namespace).catch(() => false),
  );
}

/** PostgreSQL frozen for `ms`: every backend stops where it is, connections stay open. */
export async function stopPostgres(home: string, connections: Connections, ms: number): Promise<number> {
  const postmaster = await servicePid(home, 'postgres');
  signalTree(postmaster, 'SIGSTOP');
  await sleep(ms);
  signalTree(postmaster, 'SIGCONT');
  return timeToAnswer(() => postgresAnswers(connections.databaseUrl));
}

/** S3 frozen for `ms`; `during` runs while it is (and counts against the time; thawed if it throws). */
export async function stopS3(
  home: string,
  connections: Connections,
  ms: number,
  during?: () => Promise<void>,
): Promise<number> {
  const helper = await servicePid(home, 's3 helper');
  signalTree(helper, 'SIGSTOP');
  const started = performance.now();
  try {
    await during?.();
    await sleep(Math.max(0, ms - (performance.now() - started)));
  } finally {
    signalTree(helper, 'SIGCONT');
  }
  return timeToAnswer(() => s3Answers(connections));
}
