import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelLoopClient } from '../../client/loop.js';
import { recordAuditEvent } from '../../db/queries/audit.js';
import { countDriftWindows, findDriftReport } from '../../db/queries/drift.js';
import { upsertPipelineRun } from '../../db/queries/runs.js';
import { waitUntil } from '../../stack/processes.js';
import type { PipelineSpec } from '../../spec/types.js';
import { exampleSpec, runPipeline, versionsOf } from '../support/pipeline.js';
import { stackEnvironment, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { logPredictions, penguinRows } from '../support/predictions.js';
import { runMlops, runMlopsOffline } from '../support/processes.js';
import { chromium } from '../unit/reports/headless-chromium.js';

const artifacts = fileURLToPath(new URL('../artifacts/drift-report/', import.meta.url));

describe('mlops monitor report', () => {
  let platform: TestPlatform;
  let loop: ModelLoopClient;
  let spec: PipelineSpec;
  let traffic: NodeJS.Timeout | undefined;
  let home: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'mlops-drift-report-'));
    env = { ...stackEnvironment(), MLOPS_HOME: home };
    platform = await startTestPlatform({ pools: ['cpu'] });
    loop = new ModelLoopClient(platform.client.temporal, platform.pools.taskQueues);
    spec = exampleSpec('penguins.yaml', { train: { trainer: 'logistic_regression', params: { l2: 0.001 } } });
    expect((await runPipeline(platform, spec)).status).toBe('succeeded');
  }, 120_000);

  afterAll(async () => {
    clearInterval(traffic);
    await loop?.stopMonitor(spec.name).catch(() => undefined);
    await platform?.stop();
    await rm(home, { recursive: true, force: true });
  });

  it(
    "saves a real monitor window's report with its live metric and events, which status then links",
    { timeout: 120_000 },
    async () => {
      const db = platform.database.db;
      const [champion] = await versionsOf(platform, spec.name);
      // Flippers 1.5 times as long: drifted, labeled traffic, as serving and feedback would log it.
      const rows = penguinRows()
        .filter((_, index) => index % 4 === 0)
        .map((row) => ({ ...row, 'Flipper Length (mm)': Number(row['Flipper Length (mm)']) * 1.5 }));
      const logTraffic = () =>
        void logPredictions(db, { modelVersionId: champion.id, rows, target: 'Species' });
      logTraffic();
      traffic = setInterval(logTraffic, 300);
      // Windows every second; nothing may retrain here (that is monitor.test.ts's business).
      await loop.startMonitor(spec.name, {
        intervalSeconds: 1,
        minRows: 20,
        minLabels: 20,
        driftWindows: 1000,
        metricDrop: 1,
      });
      const windowCount = () => countDriftWindows(db, spec.name);
      await waitUntil('a first drift report', async () => (await windowCount()) >= 1, { timeoutMs: 30_000 });

      // What the database records meanwhile: a retraining run the monitor started, and a rollback.
      const eventsAt = new Date();
      await upsertPipelineRun(db, {
        workflowId: `pipeline/${spec.name}/retrain-report-test`,
        runId: randomUUID(),
        pipelineName: spec.name,
        spec,
        codeVersion: 'test',
        trigger: 'monitor',
      });
      await recordAuditEvent(db, {
        eventKey: `drift-report-test:${spec.name}`,
        subjectKind: 'model',
        subject: spec.name,
        action: 'rollback',
        actor: 'integration test',
        reason: 'rolled back by request',
        after: { champion: 1, challenger: null, share: 0 },
      });
      await waitUntil(
        'a window after the events',
        async () => ((await findDriftReport(db, spec.name, { newest: 1 }))?.windowEnd ?? 0) > eventsAt,
        { timeoutMs: 30_000 },
      );
      clearInterval(traffic);

      // Before any report is saved, status gives the exact command that saves the newest.
      const before = await runMlops(['monitor', 'status', spec.name], env);
      expect(before.code, before.stderr).toBe(0);
      expect(before.stdout).toContain(`\`mlops monitor report ${spec.name}\` saves it`);
      await loop.stopMonitor(spec.name);

      const newest = (await findDriftReport(db, spec.name, { newest: 1 }))!;
      expect(newest.liveMetric).toMatchObject({ name: 'accuracy', testValue: expect.any(Number) });
      expect(newest.liveMetric!.labeled).toBeGreaterThan(0);
      expect(newest.liveMetric!.value).toEqual(expect.any(Number));

      const saved = await runMlops(['monitor', 'report', spec.name, '--json'], env);
      expect(saved.code, saved.stderr).toBe(0);
      const document = saved.json<{ path: string; reportId: number; drifted: boolean; opened: boolean }>();
      expect(document.reportId).toBe(newest.id);
      expect(document.path).toBe(path.join(home, 'reports', `${spec.name}-drift-${newest.id}.html`));
      const html = await readFile(document.path, 'utf8');
      expect(html).toContain('<figure class="chart" id="chart-distribution-0">');
      expect(html).toContain('Flipper Length (mm)');
      expect(html).toContain('<figure class="chart" id="chart-live-metric">');
      expect(html).toMatch(/<path class="series" d="M[\d.]+ [\d.]+ L/);
      expect(html).toContain('">retrain</span>');
      expect(html).toContain('">rollback</span>');
      expect(html).toContain('integration test');
      // The saved file in a real browser, screenshotted for people to look at.
      await mkdir(artifacts, { recursive: true });
      const copy = path.join(artifacts, 'monitor-window.html');
      const screenshot = path.join(artifacts, 'monitor-window.png');
      await copyFile(document.path, copy);
      await chromium([`--screenshot=${screenshot}`, '--window-size=1280,6000', pathToFileURL(copy).href]);
      process.stdout.write(`drift report screenshot: ${screenshot}\n`);
      expect((await stat(screenshot)).size).toBeGreaterThan(100_000);
      const dom = await chromium(['--dump-dom', pathToFileURL(copy).href]);
      expect(dom.match(/<svg\b/g)?.length).toBe(html.match(/<svg\b/g)?.length);

      const after = await runMlops(['monitor', 'status', spec.name, '--json'], env);
      expect(after.code, after.stderr).toBe(0);
      expect(after.json<{ newestReport: unknown }>().newestReport).toEqual({
        id: newest.id,
        windowEnd: newest.windowEnd.toISOString(),
        path: document.path,
        command: `mlops monitor report ${spec.name}`,
      });

      // An older window, elsewhere; a window that does not exist; --open with no opener on PATH.
      const second = path.join(home, 'second.html');
      const older = await runMlops(
        ['monitor', 'report', spec.name, '--window', '2', '--output', second],
        env,
      );
      expect(older.code, older.stderr).toBe(0);
      expect(older.stdout).toContain(second);
      expect(await readFile(second, 'utf8')).toContain('drift report');
      const byId = await runMlops(['monitor', 'report', spec.name, '--id', String(newest.id), '--json'], env);
      expect(byId.code, byId.stderr).toBe(0);
      expect(byId.json<{ reportId: number }>().reportId).toBe(newest.id);
      const beyond = await runMlops(['monitor', 'report', spec.name, '--window', '9999'], env);
      expect(beyond.code).toBe(1);
      expect(beyond.stderr).toMatch(/drift report\(s\): --window 9999 is beyond them \(1 is the newest\)/);
      const noOpener = await runMlops(['monitor', 'report', spec.name, '--open'], { ...env, PATH: home });
      expect(noOpener.code, noOpener.stderr).toBe(0);
      expect(noOpener.stderr).toContain('no `xdg-open` here to open it');
    },
  );

  it('refuses a window that is not a whole number from 1, and --window with --id, before connecting', () => {
    for (const args of [
      ['--window', '0'],
      ['--window', '1.5'],
      ['--window', '1', '--id', '3'],
    ]) {
      const result = runMlopsOffline(['monitor', 'report', 'some-model', ...args]);
      expect(result.status, result.stderr).toBe(2);
    }
  });
});
