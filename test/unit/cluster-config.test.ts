import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePortBetween } from '../../stack/processes.js';
import {
  renderServerConfig,
  SERVER_PORT_NAMES,
  type ServerPorts,
} from '../../scripts/cluster/server-config.js';

const ports = Object.fromEntries(
  SERVER_PORT_NAMES.map((name, index) => [name, 21_000 + index]),
) as unknown as ServerPorts;

describe("the cluster script's Temporal server configuration", () => {
  const config = parse(
    renderServerConfig({
      ports,
      postgres: { host: '127.0.0.1', port: 5544, user: 'temporal', password: 'p@ss: "word"' },
      databases: { persistence: 'temporal', visibility: 'temporal_visibility' },
      dynamicConfigFile: '/state/dynamicconfig.yaml',
      historyShards: 4,
    }),
  );

  it('keeps persistence and visibility in PostgreSQL, each in its own database, the password intact', () => {
    const stores = config.persistence.datastores;
    expect(stores[config.persistence.defaultStore].sql).toMatchObject({
      pluginName: 'postgres12',
      databaseName: 'temporal',
      connectAddr: '127.0.0.1:5544',
      user: 'temporal',
      password: 'p@ss: "word"',
    });
    expect(stores[config.persistence.visibilityStore].sql).toMatchObject({
      pluginName: 'postgres12',
      databaseName: 'temporal_visibility',
    });
    expect(config.persistence.numHistoryShards).toBe(4);
  });

  it('runs all four services on loopback, on the ports given, and names the frontend as the cluster address', () => {
    expect(Object.keys(config.services).sort()).toEqual(['frontend', 'history', 'matching', 'worker']);
    for (const service of Object.values(config.services) as { rpc: { bindOnLocalHost: boolean } }[])
      expect(service.rpc.bindOnLocalHost).toBe(true);
    expect(config.services.frontend.rpc).toMatchObject({ grpcPort: 21_000, membershipPort: 21_001 });
    const current = config.clusterMetadata.currentClusterName;
    expect(config.clusterMetadata.clusterInformation[current].rpcAddress).toBe('127.0.0.1:21000');
    expect(config.global.metrics.prometheus.listenAddress).toBe(`127.0.0.1:${ports.metrics}`);
    expect(config.dynamicConfigClient.filepath).toBe('/state/dynamicconfig.yaml');
  });

  it('finds free ports below 32768 (Temporal keeps membership ports in a smallint column)', async () => {
    for (let index = 0; index < 5; index += 1) {
      const port = await freePortBetween(20_000, 32_767);
      expect(port).toBeGreaterThanOrEqual(20_000);
      expect(port).toBeLessThanOrEqual(32_767);
    }
  });
});
