import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ModelLoopClient, StatusQueryTimeout } from '../../client/loop.js';
import { testClientForFile } from '../support/platform.js';

describe('status queries without a worker', () => {
  const client = testClientForFile();

  it(
    'give up with an error that says to start a worker, instead of hanging',
    { timeout: 60_000 },
    async () => {
      // A monitor started on a task queue nobody polls: nothing can answer its query.
      const queue = `nobody-${randomUUID().slice(0, 8)}`;
      const loop = new ModelLoopClient(client().temporal, { cpu: queue, gpu: queue });
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
