import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, type PlatformClient } from '../../client/connect.js';
import { ModelLoopClient, StatusQueryTimeout } from '../../client/loop.js';
import { testConfig, testConnections } from '../support/platform.js';

describe('status queries without a worker', () => {
  let client: PlatformClient;

  beforeAll(async () => {
    client = await connectClient(testConfig(), testConnections());
  });

  afterAll(async () => {
    await client?.close();
  });

  it(
    'give up with an error that says to start a worker, instead of hanging',
    { timeout: 60_000 },
    async () => {
      // A monitor started on a task queue nobody polls: nothing can answer its query.
      const queue = `nobody-${randomUUID().slice(0, 8)}`;
      const loop = new ModelLoopClient(client.temporal, { cpu: queue, gpu: queue });
      const name = `unanswered-${randomUUID().slice(0, 8)}`;
      await loop.startMonitor(name);
      try {
        const error = await loop.monitorStatus(name).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(StatusQueryTimeout);
        expect((error as Error).message).toMatch(
          /no worker answered .* within 10 s.*mlops worker --pool cpu/s,
        );
      } finally {
        await loop.stopMonitor(name, 'test over');
      }
    },
  );
});
