import { beforeAll, describe, expect, it } from 'vitest';
import { formatPipelineLoad, runPipelineLoad } from '../../scripts/load/pipelines.js';
import { formatServingLoad, runServingLoad, type ServingLoadPlan } from '../../scripts/load/serving.js';
import { serverErrors } from '../../scripts/support/traffic.js';
import { testConnections } from '../support/platform.js';
import { useWorkerProcesses } from '../support/worker-processes.js';

/**
 * The short form of `npm run test:load`, on the shared stack with two worker processes of its own:
 * a burst of pipelines all complete, and serving at 70% of its capacity with a canary and the
 * monitor on answers no 5xx and logs every prediction it answered exactly once. The full suite
 * (200 pipelines, 5 minutes of serving) stays out of CI.
 */
const plan: ServingLoadPlan = {
  capacitySeconds: 5,
  loadSeconds: 20,
  fraction: 0.7,
  rowsPerRequest: 32,
  sampleEverySeconds: 5,
};

describe('load, short form', () => {
  const suite = useWorkerProcesses('load', {});
  const log = (line: string) => process.stdout.write(`load: ${line}\n`);
  beforeAll(() => {
    suite.startWorker();
    suite.startWorker();
  });

  it('completes 10 pipelines submitted at once, every one', { timeout: 600_000 }, async () => {
    const report = await runPipelineLoad({
      temporal: suite.client.temporal,
      db: suite.database.db,
      taskQueue: suite.taskQueue,
      pipelines: 10,
      log,
    });
    process.stdout.write(`${formatPipelineLoad(report)}\n`);
    expect(report.failures).toEqual([]);
    expect(report.succeeded).toBe(10);
  });

  it(
    'serves at 70% of capacity with a canary and the monitor on: no 5xx, every prediction logged once',
    { timeout: 600_000 },
    async () => {
      const report = await runServingLoad({
        temporal: suite.client.temporal,
        database: suite.database,
        connections: testConnections(),
        taskQueue: suite.taskQueue,
        plan,
        log,
      });
      process.stdout.write(`${formatServingLoad(report, plan)}\n`);
      expect(report.load.requests).toBeGreaterThan(0);
      expect(serverErrors(report.capacity) + serverErrors(report.load)).toBe(0);
      expect(report.load.statuses.get(0) ?? 0).toBe(0);
      expect([...report.load.statuses.keys()]).toEqual([200]);
      expect(report.logged).toBe(report.answered);
      // Sticky by request key over 1000 keys: near the 30% split.
      expect(report.challengerShare).toBeGreaterThan(0.2);
      expect(report.challengerShare).toBeLessThan(0.4);
    },
  );
});
