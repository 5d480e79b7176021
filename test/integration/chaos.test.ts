import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatReport } from '../../scripts/chaos/report.js';
import { runChaos, type ChaosPlan } from '../../scripts/chaos/run.js';
import { removeStackHome } from '../support/stack-home.js';

/**
 * The short form of `npm run test:chaos`, on a stack of its own (it kills the stack's services):
 * real pipelines survive killed workers, a killed Temporal dev server and frozen PostgreSQL and S3,
 * and the invariants hold. The full plan (20 kills, 30 s outages) stays out of CI.
 */
const ciPlan: ChaosPlan = {
  pipelines: 2,
  gpuWorkers: 1,
  commandTrainer: true,
  trainingData: 'penguins',
  rounds: 300,
  workerKills: 2,
  temporalRestarts: 1,
  postgresStops: [3_000],
  s3Stops: [3_000],
  targetWaitSeconds: 30,
  faultEverySeconds: [2, 4],
  seed: 11,
  serving: { requestsPerSecond: 10, rowsPerRequest: 4 },
};

describe('chaos, short form', () => {
  const home = path.resolve('.mlops/chaos-tests', randomUUID());
  afterAll(() => removeStackHome(home));

  it(
    'ends every pipeline as without faults, with no duplicate and no missing artifact',
    { timeout: 900_000 },
    async () => {
      const report = await runChaos(ciPlan, home, () => undefined);
      process.stdout.write(`${formatReport(report)}\n`);
      expect(report.faults.map((fault) => fault.kind).sort()).toEqual(
        ['kill-worker', 'kill-worker', 'restart-temporal', 'stop-postgres', 'stop-s3'].sort(),
      );
      expect(report.unexpected).toEqual([]);
      expect(report.completed).toBe(ciPlan.pipelines);
      expect(report.duplicateVersions).toBe(0);
      expect(report.missingArtifacts).toEqual([]);
      expect(report.checkedArtifacts).toBeGreaterThan(0);
      // Every second pipeline trains on the GPU pool's worker (MLOPS_GPUS=1 on this CPU machine).
      expect(report.trainedOnGpu).toBe(1);
      // Serving through the PostgreSQL and S3 freezes: every request answered, every answer logged
      // once, and the canary added while S3 hung was loaded once it answered again.
      const serving = report.serving!;
      expect([...serving.traffic.statuses.keys()]).toEqual([200]);
      expect(serving.answered).toBeGreaterThan(0);
      expect(serving.logged).toBe(serving.answered);
      expect(serving.canaryServed).toBe(true);
    },
  );
});
