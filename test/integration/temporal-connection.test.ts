import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../config/logger.js';
import { connectToTemporal } from '../../workers/temporal-connection.js';
import { testConnections } from '../support/platform.js';

/** A free loopback port, nothing listening on it once this returns. */
async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** From `port` to the test stack's Temporal: a server that comes up when the test says. */
function proxyToTemporal(port: number): net.Server {
  const [host, upstreamPort] = testConnections().temporal.address.split(':');
  return net
    .createServer((socket) => {
      const upstream = net.connect(Number(upstreamPort), host);
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    })
    .listen(port, '127.0.0.1');
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
