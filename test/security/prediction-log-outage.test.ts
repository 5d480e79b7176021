import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../config/logger.js';
import { connectDatabase, type DatabaseHandle } from '../../db/client.js';
import { predictionLogs } from '../../db/schema.js';
import { createServingServer, defaultServingSettings, type ServingServer } from '../../serving/index.js';
import { SPILL_FILE } from '../../serving/prediction-spill.js';
import {
  startTestPlatform,
  testArtifactStore,
  testConnections,
  type TestPlatform,
} from '../support/platform.js';
import { createTestToken, eventually, request, trainServedModel } from '../support/serving.js';
import { adelie, gentoo } from '../support/serving-requests.js';

/**
 * A TCP proxy between the prediction server and the shared test PostgreSQL: `cut` closes its port
 * and drops every connection through it (the database is unreachable: refused, reset), `restore`
 * opens the same port again. The shared database itself keeps running for the other tests.
 */
async function startProxy(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const listening = net.createServer((client) => {
        const upstream = net.connect(target.port, target.host);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('error', drop);
          socket.on('close', drop);
        }
        client.pipe(upstream);
        upstream.pipe(client);
      });
      listening.once('error', reject);
      listening.listen(port, '127.0.0.1', () => {
        port = (listening.address() as AddressInfo).port;
        server = listening;
        resolve();
      });
    });
  const cut = async () => {
    const closed = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    await closed;
  };
  await listen();
  return { port: () => port, cut, restore: listen };
}

describe('prediction log during a database outage', () => {
  let platform: TestPlatform;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let proxied: DatabaseHandle;
  let proxiedUrl: string;
  let modelName: string;
  let token: string;
  const store = testArtifactStore();
  const folders: string[] = [];

  /** A prediction server reaching PostgreSQL through the proxy only, spilling into `spillFolder`. */
  async function startServer(spillFolder: string): Promise<{ server: ServingServer; url: string }> {
    const server = createServingServer({
      db: proxied.db,
      databaseUrl: proxiedUrl,
      artifacts: store,
      log: createLogger(process.env.MLOPS_TEST_LOG_LEVEL ?? 'silent', { test: 'outage' }),
      settings: {
        models: [modelName],
        refreshIntervalMs: 60_000,
        shutdownGraceMs: 5000,
        predictionLog: {
          ...defaultServingSettings.predictionLog,
          flushIntervalMs: 20,
          writeTimeoutMs: 2000,
          spill: { directory: spillFolder, maxBytes: 64 * 1024 * 1024 },
        },
      },
    });
    return { server, url: await server.listen(0, '127.0.0.1') };
  }

  /** Sends `count` predictions, `concurrency` at a time; every one must be answered. */
  async function predictMany(url: string, count: number, concurrency = 8): Promise<string[]> {
    const ids: string[] = [];
    for (let start = 0; start < count; start += concurrency) {
      const answers = await Promise.all(
        Array.from({ length: Math.min(concurrency, count - start) }, (_, index) =>
          request(`${url}/v1/models/${modelName}:predict`, {
            body: { instances: (start + index) % 2 === 0 ? [adelie] : [adelie, gentoo] },
            token,
          }),
        ),
      );
      for (const answer of answers) {
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        ids.push(...(answer.body.predictionIds as string[]));
      }
    }
    return ids;
  }

  /** How many times each id is in prediction_logs (read directly, not through the proxy). */
  async function loggedCounts(ids: string[]): Promise<Map<string, number>> {
    const rows = await platform.database.db
      .select({ id: predictionLogs.predictionId, count: sql<number>`count(*)::int` })
      .from(predictionLogs)
      .where(inArray(predictionLogs.predictionId, ids))
      .groupBy(predictionLogs.predictionId);
    return new Map(rows.map((row) => [row.id, row.count]));
  }

  const spillFolder = async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'mlops-outage-'));
    folders.push(folder);
    return folder;
  };

  beforeAll(async () => {
    platform = await startTestPlatform({ pools: ['cpu'] });
    modelName = await trainServedModel(platform);
    token = (await createTestToken(platform, ['predict'])).token;
    const database = new URL(testConnections().databaseUrl);
    proxy = await startProxy({ host: database.hostname, port: Number(database.port) });
    database.hostname = '127.0.0.1';
    database.port = String(proxy.port());
    proxiedUrl = database.toString();
    proxied = connectDatabase(proxiedUrl, { maxConnections: 4, applicationName: 'mlops-outage-test' });
  });

  afterAll(async () => {
    await proxy?.restore().catch(() => undefined);
    await proxied?.close();
    await platform?.stop();
    store.client.destroy();
    for (const folder of folders) await rm(folder, { recursive: true, force: true });
  });

  it("keeps answering from its fsync'd spill while PostgreSQL is unreachable, and logs every answered prediction exactly once when it is back", async () => {
    const { server, url } = await startServer(await spillFolder());
    try {
      const before = await predictMany(url, 4);
      await server.predictionLog.flushed();
      await proxy.cut();
      const during = await predictMany(url, 60);
      expect(server.predictionLog.spillDepth.rows).toBe(during.length);
      const metrics = await request(`${url}/metrics`);
      expect(String(metrics.body.text)).toMatch(
        new RegExp(`^mlops_serving_prediction_log_spill_rows ${during.length}$`, 'm'),
      );
      expect(server.metrics.logSpilled.get()).toBe(during.length);

      await proxy.restore();
      await eventually(async () => server.predictionLog.spillDepth.rows === 0, 'replaying the spill', 30_000);
      const after = await predictMany(url, 4);
      await server.predictionLog.flushed();
      const answered = [...before, ...during, ...after];
      const counts = await loggedCounts(answered);
      expect(answered.filter((id) => counts.get(id) !== 1)).toEqual([]);
      expect(server.metrics.logDropped.get()).toBe(0);
    } finally {
      await proxy.restore().catch(() => undefined);
      await server.close();
    }
  });

  it('leaves the spill on disk when stopped during the outage; the next server replays it', async () => {
    const folder = await spillFolder();
    const first = await startServer(folder);
    let during: string[];
    try {
      await proxy.cut();
      during = await predictMany(first.url, 40);
    } finally {
      await first.server.close();
    }
    expect(first.server.metrics.logDropped.get()).toBe(0);
    const spilled = (await readFile(path.join(folder, SPILL_FILE), 'utf8')).split('\n').filter(Boolean);
    expect(spilled).toHaveLength(during.length);
    expect((await loggedCounts(during)).size).toBe(0);

    await proxy.restore();
    const second = await startServer(folder);
    try {
      await eventually(
        async () => second.server.predictionLog.spillDepth.rows === 0,
        "replaying the earlier server's spill",
        30_000,
      );
      const counts = await loggedCounts(during);
      expect(during.filter((id) => counts.get(id) !== 1)).toEqual([]);
      expect(second.server.metrics.logReplayed.get()).toBe(during.length);
    } finally {
      await second.server.close();
    }
  });
});
