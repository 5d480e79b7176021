import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { ArtifactNotFoundError, ArtifactStore } from '../../storage/artifact-store.js';
import { UnsafeArtifactKeyError } from '../../storage/keys.js';
import { testArtifactStore, testConnections } from '../support/platform.js';

/** `size` bytes of seeded pseudo-random data, produced 1 MiB at a time (never held whole). */
function seededStream(size: number, seed: number): Readable {
  let produced = 0;
  let state = seed;
  return new Readable({
    read() {
      if (produced >= size) return void this.push(null);
      const chunk = Buffer.allocUnsafe(Math.min(1024 * 1024, size - produced));
      for (let offset = 0; offset < chunk.length; offset += 4) {
        state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
        chunk.writeUInt32LE(state, offset);
      }
      produced += chunk.length;
      this.push(chunk);
    },
  });
}

async function sha256Of(stream: AsyncIterable<Uint8Array>): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

describe('artifact store', () => {
  const store = testArtifactStore();
  const prefix = `test/${randomUUID()}`;

  afterAll(() => store.client.destroy());

  it.each([
    ['1 KB', 1024],
    ['40 MB (multipart)', 40 * 1024 * 1024],
  ])('round-trips a %s object, reporting the sha256 of its bytes', async (_label, size) => {
    const expected = await sha256Of(seededStream(size, size));
    const stored = await store.put(`${prefix}/object-${size}.bin`, seededStream(size, size));
    expect(stored).toMatchObject({
      sha256: expected.sha256,
      bytes: size,
      uri: `s3://${store.bucket}/${prefix}/object-${size}.bin`,
    });
    expect((await store.head(stored.key))?.bytes).toBe(size);
    expect(await sha256Of(await store.get(stored.key))).toEqual(expected);
  });

  it('stores the same bytes once under one content-addressed key', async () => {
    const body = 'species,bill\nAdelie,39.1\n';
    const first = await store.putContentAddressed(`${prefix}/dedup`, '.csv', body);
    const second = await store.putContentAddressed(
      `${prefix}/dedup`,
      '.csv',
      Readable.from([Buffer.from(body)]),
    );
    expect(second).toEqual(first);
    expect(first.key).toBe(`${prefix}/dedup/${createHash('sha256').update(body).digest('hex')}.csv`);
    const listed = [];
    for await (const object of store.list(`${prefix}/dedup/`)) listed.push(object);
    expect(listed.map((object) => object.key)).toEqual([first.key]);
    expect((await store.head(first.key))?.sha256).toBe(first.sha256);
  });

  it('lists by prefix, reports existence and deletes', async () => {
    await store.put(`${prefix}/listing/a.txt`, 'a');
    await store.put(`${prefix}/listing/b.txt`, 'b');
    const keys = [];
    for await (const object of store.list(`${prefix}/listing/`)) keys.push(object.key);
    expect(keys.sort()).toEqual([`${prefix}/listing/a.txt`, `${prefix}/listing/b.txt`]);
    expect(await store.exists(`${prefix}/listing/a.txt`)).toBe(true);
    await store.delete(`${prefix}/listing/a.txt`);
    expect(await store.exists(`${prefix}/listing/a.txt`)).toBe(false);
    expect(await store.head(`${prefix}/missing`)).toBeUndefined();
  });

  it('reads a small object whole, refuses one above the limit, and names a missing one', async () => {
    const stored = await store.put(`${prefix}/small.json`, '{"rows":342}');
    expect((await store.getBuffer(stored.key)).toString('utf8')).toBe('{"rows":342}');
    await expect(store.getBuffer(stored.key, 4)).rejects.toThrow(
      /is 12 bytes, more than 4; stream it with get\(\)/,
    );
    const missing = `${prefix}/missing.json`;
    await expect(store.getBuffer(missing)).rejects.toThrow(ArtifactNotFoundError);
    await expect(store.get(missing)).rejects.toThrow(
      `artifact s3://${store.bucket}/${missing} does not exist`,
    );
  });

  it.each(['../escape', `${'datasets'}/%2e%2e%2fescape`, '/root', 'a\\b', 'x\u0000y'])(
    'refuses the unsafe key %j before any request is made',
    async (key) => {
      await expect(store.put(key, 'x')).rejects.toThrow(UnsafeArtifactKeyError);
      await expect(store.get(key)).rejects.toThrow(UnsafeArtifactKeyError);
      await expect(store.putContentAddressed(key, '.bin', 'x')).rejects.toThrow(UnsafeArtifactKeyError);
    },
  );

  it('gives up on a stalled S3 after its idle timeout, retrying first, instead of waiting forever', async () => {
    // Accepts connections and never answers: what a hung S3 looks like from here.
    const sockets: Socket[] = [];
    const stalled = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    const { port } = stalled.address() as AddressInfo;
    const hung = ArtifactStore.fromSettings({
      ...testConnections().s3,
      endpoint: `http://127.0.0.1:${port}`,
      idleTimeoutMs: 300,
    });
    try {
      const started = performance.now();
      await expect(hung.getBuffer(`${prefix}/anything.json`)).rejects.toThrow(/timeout|timed out/i);
      expect(performance.now() - started).toBeLessThan(20_000);
      expect(sockets.length).toBeGreaterThanOrEqual(2);
    } finally {
      hung.client.destroy();
      for (const socket of sockets) socket.destroy();
      stalled.close();
    }
  });

  it('refuses requests that are not signed by the stack key pair: unsigned, another secret, the old fixed key', async () => {
    const { endpoint, bucket } = testConnections().s3;
    const stored = await store.put(`${prefix}/guarded.json`, '{"champion":true}');
    for (const [method, url] of [
      ['GET', `${endpoint}/${bucket}/${stored.key}`],
      ['GET', `${endpoint}/${bucket}/?list-type=2`],
      ['PUT', `${endpoint}/${bucket}/${stored.key}`],
    ] as const) {
      const response = await fetch(url, { method, body: method === 'PUT' ? 'planted' : undefined });
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('<Code>AccessDenied</Code>');
    }
    for (const credentials of [
      { accessKeyId: testConnections().s3.credentials!.accessKeyId, secretAccessKey: 'not-the-secret' },
      { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    ]) {
      const forged = ArtifactStore.fromSettings({ ...testConnections().s3, credentials });
      try {
        await expect(forged.put(stored.key, 'planted')).rejects.toThrow();
      } finally {
        forged.client.destroy();
      }
    }
    expect((await store.getBuffer(stored.key)).toString('utf8')).toBe('{"champion":true}');
  });
});
