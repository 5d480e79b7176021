/**
 * The Temporal server's static configuration for the cluster script: the four services (frontend,
 * history, matching, worker) in one process, as docker-compose.yml's `temporalio/server` runs
 * them, with PostgreSQL for persistence and for visibility (the `postgres12` SQL plugin, two
 * databases), every port on loopback. A pure function, so its shape is unit-tested.
 */
import { stringify } from 'yaml';

export interface ServerPorts {
  readonly frontend: number;
  readonly frontendMembership: number;
  readonly history: number;
  readonly historyMembership: number;
  readonly matching: number;
  readonly matchingMembership: number;
  readonly worker: number;
  readonly workerMembership: number;
  readonly metrics: number;
}

/** The frontend's first: it is the one kept across restarts (clients know it). */
export const SERVER_PORT_NAMES: readonly (keyof ServerPorts)[] = [
  'frontend',
  'frontendMembership',
  'history',
  'historyMembership',
  'matching',
  'matchingMembership',
  'worker',
  'workerMembership',
  'metrics',
];

export interface ServerConfigOptions {
  readonly ports: ServerPorts;
  readonly postgres: {
    readonly host: string;
    readonly port: number;
    readonly user: string;
    readonly password: string;
  };
  readonly databases: { readonly persistence: string; readonly visibility: string };
  readonly dynamicConfigFile: string;
  /** Fixed for a cluster's life: the server refuses to start on data made with another count. */
  readonly historyShards: number;
}

export const CLUSTER_NAME = 'active';

export function renderServerConfig(options: ServerConfigOptions): string {
  const { ports, postgres } = options;
  const datastore = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${postgres.host}:${postgres.port}`,
      connectProtocol: 'tcp',
      user: postgres.user,
      password: postgres.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const service = (grpcPort: number, membershipPort: number) => ({
    rpc: { grpcPort, membershipPort, bindOnLocalHost: true },
  });
  return stringify({
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: options.historyShards,
      datastores: {
        'postgres-default': datastore(options.databases.persistence, 20),
        'postgres-visibility': datastore(options.databases.visibility, 10),
      },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      metrics: {
        prometheus: {
          framework: 'tally',
          timerType: 'histogram',
          listenAddress: `127.0.0.1:${ports.metrics}`,
        },
      },
    },
    services: {
      frontend: service(ports.frontend, ports.frontendMembership),
      history: service(ports.history, ports.historyMembership),
      matching: service(ports.matching, ports.matchingMembership),
      worker: service(ports.worker, ports.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: CLUSTER_NAME,
      currentClusterName: CLUSTER_NAME,
      clusterInformation: {
        [CLUSTER_NAME]: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${ports.frontend}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: options.dynamicConfigFile, pollInterval: '10s' },
  });
}

/**
 * Dynamic configuration: the server's defaults, which in 1.32 have everything the platform uses
 * on (worker deployment versions, updates, eager activities). The file is there for operators to
 * tune (it is re-read every 10 s); search attributes the script adds are waited for, not forced
 * through with `system.forceSearchAttributesCacheRefreshOnRead`, which is for tests of the server.
 */
export function renderDynamicConfig(): string {
  return '# Temporal dynamic configuration (https://docs.temporal.io/references/dynamic-configuration)\n{}\n';
}
