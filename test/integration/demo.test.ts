import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { stackEnvironment } from '../support/platform.js';
import { spawnMlops } from '../support/processes.js';

interface DemoSummary {
  windows: {
    week: number;
    requests: number;
    predictions: number;
    failedRequests: number;
    labelsSent: number;
    liveAuc: number | null;
    servedBy: Record<string, number>;
  }[];
  versions: { version: number; status: string; testAuc: number | null; trigger: string }[];
  events: { kind: string }[];
  links: Record<string, string>;
  verdict: string;
}

describe('the main job', () => {
  it(
    'trains on January, serves, replays real February traffic with labels, and reports every week',
    { timeout: 300_000 },
    async () => {
      const demo = spawnMlops(
        ['demo', '--weeks', '3', '--week-seconds', '4', '--flights-per-week', '300', '--json', '--exit'],
        {
          ...stackEnvironment(),
          MLOPS_CPU_TASK_QUEUE: `test-demo-${randomUUID().slice(0, 8)}`,
          MLOPS_GPUS: 'none',
        },
      );
      const [code, summary] = await Promise.all([
        demo.exited,
        demo.json as Promise<unknown> as Promise<DemoSummary>,
      ]);
      expect(code, demo.stderr()).toBe(0);
      expect(summary.windows.map((window) => window.week)).toEqual([1, 2, 3]);
      for (const window of summary.windows) {
        expect(window.predictions).toBe(300);
        expect(window.failedRequests).toBe(0);
        expect(window.liveAuc).toBeGreaterThan(0.4);
        expect(Object.values(window.servedBy).reduce((sum, share) => sum + share, 0)).toBeCloseTo(1, 2);
      }
      expect(summary.windows.slice(1).every((window) => window.labelsSent > 0)).toBe(true);
      // The first model passes its gate; whether the live metric drops enough to retrain within
      // three short weeks is up to the data, so later versions only have to be well-formed.
      const [first, ...retrained] = summary.versions;
      expect(first).toMatchObject({ status: 'registered', trigger: 'initial (January)' });
      expect(first?.testAuc).toBeGreaterThan(0.55);
      for (const version of retrained) {
        expect(version.version).toBeGreaterThan(first?.version ?? Infinity);
        expect(version).toMatchObject({ trigger: 'retrained on production data' });
        expect(['registered', 'rejected']).toContain(version.status);
      }
      expect(summary.verdict).toMatch(/^Drift: \d+ of \d+ judged weeks/);
      expect(Array.isArray(summary.events)).toBe(true);
    },
  );
});
