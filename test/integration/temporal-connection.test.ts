import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { Connection } from '@temporalio/client';
import { afterEach, describe, expect, it } from 'vitest';
import { temporalConnectionOptions } from '../../config/connections.js';
import { loadConfig } from '../../config/index.js';
import { createLogger } from '../../config/logger.js';
import { connectToTemporal } from '../../workers/temporal-connection.js';
import { ensureStackCertificates } from '../../stack/certificates.js';
import { testConnections } from '../support/platform.js';

/** A free loopback port, nothing listening on it once this returns. */
async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Pipes a client's socket to the test stack's Temporal. */
function toTemporal(socket: net.Socket): void {
  const [host, upstreamPort] = testConnections().temporal.address.split(':');
  const upstream = net.connect(Number(upstreamPort), host);
  socket.pipe(upstream).pipe(socket);
  socket.on('error', () => upstream.destroy());
  upstream.on('error', () => socket.destroy());
}

/** From `port` to the test stack's Temporal: a server that comes up when the test says. */
function proxyToTemporal(port: number): net.Server {
  return net.createServer(toTemporal).listen(port, '127.0.0.1');
}

/**
 * An mTLS front to the test stack's Temporal that accepts only clients the stack's CA signed
 * (stack/certificates.ts makes them, as for `mlops up --listen`): the shape of a Temporal cluster
 * behind TLS, which the dev server cannot be itself.
 */
async function mutualTlsFront(folder: string): Promise<{ server: tls.Server; address: string }> {
  await ensureStackCertificates(folder, '127.0.0.1', 'mlops test');
  const read = (name: string) => readFile(path.join(folder, name));
  const server = tls.createServer(
    {
      key: await read('server.key'),
      cert: await read('server.pem'),
      ca: await read('ca.pem'),
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2'],
    },
    toTemporal,
  );
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, address: `127.0.0.1:${(server.address() as net.AddressInfo).port}` };
}

describe("a worker's connection to Temporal", () => {
  const warnings: string[] = [];
  const log = createLogger('warn', {}, { write: (line) => void warnings.push(line) });
  let proxy: net.Server | undefined;

  afterEach(async () => {
    if (proxy) await new Promise((resolve) => proxy!.close(resolve));
    proxy = undefined;
    warnings.length = 0;
  });

  it('waits for a Temporal that is not up yet, saying so, and connects once it is', async () => {
    const port = await freePort();
    const connecting = connectToTemporal({ address: `127.0.0.1:${port}` }, log, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    proxy = proxyToTemporal(port);
    const connection = await connecting;
    await connection.close();
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings[0]).toContain('Temporal is unreachable; trying again');
    expect(warnings[0]).toContain(`127.0.0.1:${port}`);
  });

  it('gives up after its wait, with the transport error', async () => {
    const port = await freePort();
    const started = Date.now();
    await expect(connectToTemporal({ address: `127.0.0.1:${port}` }, log, 1000)).rejects.toThrow(
      /tcp connect error/,
    );
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

describe("Temporal behind mTLS, configured by Temporal's own variable names", () => {
  it('connects the client and a worker with TEMPORAL_TLS_CLIENT_CERT_PATH, _KEY_PATH and _SERVER_CA_CERT_PATH; without the certificate it is refused', async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'mlops-mtls-'));
    const front = await mutualTlsFront(folder);
    try {
      const tlsVariables = {
        TEMPORAL_ADDRESS: front.address,
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(folder, 'ca.pem'),
        TEMPORAL_TLS_SERVER_NAME: 'localhost',
      };
      const config = loadConfig({
        ...tlsVariables,
        TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(folder, 'client.pem'),
        TEMPORAL_TLS_CLIENT_KEY_PATH: path.join(folder, 'client.key'),
      });
      const client = await Connection.connect(temporalConnectionOptions(config, front.address));
      const info = await client.workflowService.getSystemInfo({});
      expect(info.capabilities).toBeDefined();
      await client.close();
      const worker = await connectToTemporal(
        temporalConnectionOptions(config, front.address),
        createLogger('silent'),
        10_000,
      );
      await worker.close();

      const withoutCertificate = loadConfig(tlsVariables);
      await expect(
        (async () => {
          const refused = await Connection.connect({
            ...temporalConnectionOptions(withoutCertificate, front.address),
            connectTimeout: 5000,
          });
          try {
            await refused.workflowService.getSystemInfo({});
          } finally {
            await refused.close();
          }
        })(),
      ).rejects.toThrow(/certificate|handshake|UNAVAILABLE|deadline|Failed to connect/i);
    } finally {
      await new Promise((resolve) => front.server.close(resolve));
      await rm(folder, { recursive: true, force: true });
    }
  }, 60_000);
});
