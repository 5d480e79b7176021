import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { Config } from '../config/index.js';
import type { Connections } from '../config/connections.js';
import { ArtifactStore } from '../storage/artifact-store.js';
import { removeEnvFile, writeEnvFile } from './env-file.js';
import { ensurePayloadKeyFile } from './payload-key-file.js';
import { startPostgresServer } from './postgres-server.js';
import { freePort, isAlive, terminate } from './processes.js';
import { startS3Server } from './s3-server.js';
import { ensureStackCertificates } from './certificates.js';
import {
  checkListenAddress,
  listeningMismatch,
  remoteConnections,
  removeWorkerEnvFile,
  writeWorkerEnvFile,
  type StackListening,
} from './listen.js';
import { startTlsFront } from './tls-front.js';
import {
  cleanUpStaleStack,
  readState,
  removeState,
  withStackLock,
  writeState,
  type StackState,
} from './state.js';
import { temporalBinaryFor } from './temporal-binary.js';
import { probeTemporal, startTemporalServer } from './temporal-server.js';

export interface Stack {
  readonly connections: Connections;
  /** True when this process started the stack (and must stop it); false when it joined a running one. */
  readonly owned: boolean;
  /** Which services run embedded (the rest come from the configuration). */
  readonly embedded: { readonly temporal: boolean; readonly postgres: boolean; readonly s3: boolean };
  /** Where other machines join it (`mlops up --listen`); undefined: loopback only. */
  readonly listening?: StackListening;
  stop(): Promise<void>;
}

export type StackLog = (message: string) => void;

/**
 * The embedded stack: Temporal dev server, PostgreSQL and an S3 server on free loopback ports,
 * state under MLOPS_HOME (`.mlops/`). Services configured elsewhere (TEMPORAL_ADDRESS,
 * DATABASE_URL, S3_ENDPOINT) are used as they are. A stack another process already runs is
 * joined, not started twice; one whose owner died is cleaned up and started afresh.
 */
export async function ensureStack(config: Config, log: StackLog = () => undefined): Promise<Stack> {
  const embedded = {
    temporal: config.temporal.address === undefined,
    postgres: config.database.url === undefined,
    s3: config.s3.endpoint === undefined,
  };
  if (!embedded.temporal && !embedded.postgres && !embedded.s3) {
    return { connections: externalConnections(config), owned: false, embedded, stop: async () => undefined };
  }
  // Before anything starts: the one thing npm does not install (installed now if it can be).
  const temporalBinary = embedded.temporal
    ? await temporalBinaryFor(config.temporal.cliPath, log)
    : undefined;
  await mkdir(path.join(config.home, 'logs'), { recursive: true, mode: 0o755 });
  return withStackLock(config.home, async () => {
    // The embedded Temporal's payloads are encrypted with this stack's own key (made once, kept).
    const payloadKeysFile = embedded.temporal ? await ensurePayloadKeyFile(config.home) : undefined;
    const existing = await readState(config.home);
    if (existing) {
      if (isAlive(existing.ownerPid) && (await isHealthy(existing.connections))) {
        const mismatch = listeningMismatch(config.listenAddress, existing.listening);
        if (mismatch) throw new Error(mismatch);
        log(`joining the embedded stack of process ${existing.ownerPid}`);
        const joined = mergeConnections(config, existing.connections);
        return {
          connections: payloadKeysFile
            ? { ...joined, temporal: { ...joined.temporal, payloadKeysFile } }
            : joined,
          owned: false,
          embedded,
          listening: existing.listening,
          stop: async () => undefined,
        };
      }
      const stopped = await cleanUpStaleStack(existing);
      await removeState(config.home);
      await removeWorkerEnvFile(config.home);
      log(
        `cleaned up a stale embedded stack (owner ${existing.ownerPid} gone${stopped.length ? `; stopped ${stopped.join(', ')}` : ''})`,
      );
    }
    return startStack(config, embedded, temporalBinary, payloadKeysFile, log);
  });
}

async function startStack(
  config: Config,
  embedded: Stack['embedded'],
  temporalBinary: string | undefined,
  payloadKeysFile: string | undefined,
  log: StackLog,
): Promise<Stack> {
  const logs = (name: string) => path.join(config.home, 'logs', `${name}.log`);
  const listen = config.listenAddress ? checkListenAddress(config.listenAddress) : undefined;
  const started: StackState['processes'][number][] = [];
  let state: StackState | undefined;
  // A helper restarted its server: say so, and record the new pid for crash clean-up.
  const noteRestart = async (name: string, event: { pid: number; reason: string }) => {
    log(`${name} ${event.reason}; its helper started it again (pid ${event.pid})`);
    const entry = started.findIndex((process) => process.name === name);
    if (entry >= 0) started[entry] = { ...started[entry], pid: event.pid };
    if (state) {
      state = { ...state, processes: [...started] };
      await writeState(config.home, state).catch(() => undefined);
    }
  };
  const stopAll = async () => {
    // Helpers stop their servers when signalled; the server pids are only for crash clean-up.
    await Promise.all(
      started.filter((entry) => entry.name.endsWith('helper')).map((entry) => terminate(entry.pid, 20_000)),
    );
  };
  try {
    // The UI learns its codec server's address when it starts, so the port is chosen now. The codec
    // server needs PostgreSQL (for tokens) and outlives no command, so it runs in the process that
    // serves people (`mlops up`, or `mlops codec-server` on this port), not as a stack helper: a
    // stack a one-off command starts for its own duration has no UI user to decode for.
    const codecUrl = temporalBinary
      ? `http://127.0.0.1:${config.codecServer.port || (await freePort())}`
      : undefined;
    const [temporal, postgres, s3] = await Promise.all([
      temporalBinary
        ? startTemporalServer({
            codecEndpoint: codecUrl,
            onRestart: (event) => void noteRestart('temporal', event),
            binary: temporalBinary,
            databaseFile: path.join(config.home, 'temporal.sqlite'),
            logFile: logs('temporal'),
            // Listening elsewhere, the configured port is the mTLS front's; the dev server takes any.
            port: listen ? 0 : config.ports.temporal,
            uiPort: config.ports.temporalUi,
            namespace: config.temporal.namespace,
          }).then((server) => {
            started.push({ name: 'temporal helper', pid: server.pid, commandIncludes: 'supervise.mjs' });
            started.push({ name: 'temporal', pid: server.serverPid, commandIncludes: 'temporal' });
            return server;
          })
        : undefined,
      embedded.postgres
        ? startPostgresServer({
            directory: path.join(config.home, 'postgres'),
            port: config.ports.postgres,
            logFile: logs('postgres'),
            listenAddress: listen,
            onRestart: (event) => void noteRestart('postgres', event),
          }).then((server) => {
            started.push({
              name: 'postgres helper',
              pid: server.pid,
              commandIncludes: 'postgres-server.mjs',
            });
            started.push({ name: 'postgres', pid: server.postmasterPid, commandIncludes: 'postgres' });
            return server;
          })
        : undefined,
      embedded.s3
        ? startS3Server({
            directory: path.join(config.home, 's3'),
            port: config.ports.s3,
            bucket: config.s3.bucket,
            region: config.s3.region,
            logFile: logs('s3'),
            host: listen,
          }).then((server) => {
            started.push({ name: 's3 helper', pid: server.pid, commandIncludes: 's3-server.mjs' });
            return server;
          })
        : undefined,
    ]);
    const external = externalConnections(config);
    const connections: Connections = {
      temporal: temporal
        ? {
            address: temporal.address,
            namespace: temporal.namespace,
            uiUrl: temporal.uiUrl,
            payloadKeysFile,
            codecUrl,
          }
        : external.temporal,
      databaseUrl: postgres?.url ?? external.databaseUrl,
      s3: s3
        ? {
            endpoint: s3.endpoint,
            bucket: config.s3.bucket,
            region: config.s3.region,
            forcePathStyle: true,
            credentials: s3.credentials,
          }
        : external.s3,
    };
    const listening = listen
      ? await listenForOtherMachines(config, listen, embedded, connections, payloadKeysFile, (entry) =>
          started.push(entry),
        )
      : undefined;
    state = {
      version: 1,
      ownerPid: process.pid,
      startedAt: new Date().toISOString(),
      connections,
      listening,
      processes: [...started],
    };
    await writeState(config.home, state);
    await writeEnvFile(config.home, connections);
    log(`embedded stack started under ${config.home}`);
    let stopped = false;
    return {
      connections,
      owned: true,
      embedded,
      listening,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await stopAll();
        await removeState(config.home);
        await removeEnvFile(config.home);
        await removeWorkerEnvFile(config.home);
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * The mTLS front on the listen address (certificates under `<home>/tls`) and `<home>/worker.env`
 * for the machines that join (listen.ts).
 */
async function listenForOtherMachines(
  config: Config,
  address: string,
  embedded: Stack['embedded'],
  connections: Connections,
  payloadKeysFile: string | undefined,
  record: (entry: StackState['processes'][number]) => void,
): Promise<StackListening> {
  const certificates = embedded.temporal
    ? await ensureStackCertificates(path.join(config.home, 'tls'), address)
    : undefined;
  const front = certificates
    ? await startTlsFront({
        certificates,
        host: address,
        port: config.ports.temporal,
        upstream: connections.temporal.address,
        logFile: path.join(config.home, 'logs', 'temporal-tls.log'),
      })
    : undefined;
  if (front) record({ name: 'temporal tls helper', pid: front.pid, commandIncludes: 'tls-front.mjs' });
  const temporal = front?.address ?? connections.temporal.address;
  const workerEnvFile = await writeWorkerEnvFile({
    home: config.home,
    remote: remoteConnections(connections, { address, temporal }, embedded),
    certificates,
    payloadKeysFile,
  });
  return { address, temporal, workerEnvFile };
}

async function isHealthy(connections: Connections): Promise<boolean> {
  try {
    await probeTemporal(connections.temporal.address, connections.temporal.namespace);
    const client = new pg.Client({
      connectionString: connections.databaseUrl,
      connectionTimeoutMillis: 3000,
    });
    await client.connect();
    await client.end();
    const store = ArtifactStore.fromSettings(connections.s3);
    try {
      await store.ensureBucket();
    } finally {
      store.client.destroy();
    }
    return true;
  } catch {
    return false;
  }
}

/** The embedded stack's endpoints overridden by whatever the configuration points elsewhere. */
export function mergeConnections(config: Config, embeddedConnections: Connections): Connections {
  const external = externalConnections(config);
  return {
    temporal: config.temporal.address ? external.temporal : embeddedConnections.temporal,
    databaseUrl: config.database.url ?? embeddedConnections.databaseUrl,
    s3: config.s3.endpoint ? external.s3 : embeddedConnections.s3,
  };
}

/** The configured endpoints; empty where a service is left to the embedded stack. */
export function externalConnections(config: Config): Connections {
  return {
    temporal: {
      address: config.temporal.address ?? '',
      namespace: config.temporal.namespace,
      uiUrl: config.temporal.uiUrl,
    },
    databaseUrl: config.database.url ?? '',
    s3: {
      endpoint: config.s3.endpoint,
      bucket: config.s3.bucket,
      region: config.s3.region,
      forcePathStyle: config.s3.forcePathStyle,
    },
  };
}
