/**
 * Drift reports in a real browser: headless Chromium renders each from a file:// URL, saves a
 * screenshot under test/artifacts/drift-report/ (the test prints the folder) for people to look
 * at, and dumps the DOM it built, which must hold every chart and nothing injected.
 */

import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderDriftReport } from '../../../reports/drift-report.js';
import type { DriftReportData } from '../../../reports/drift-types.js';
import { driftHistory, driftReportData } from './drift-fixtures.js';
import { chromium, PNG_SIGNATURE } from './headless-chromium.js';
import { svgBlocks } from './html-inspection.js';

const folder = fileURLToPath(new URL('../../artifacts/drift-report/', import.meta.url));
// A blank 1280x4400 page screenshots to a few tens of KB; charts and tables to several hundred.
const BLANK_PAGE_BYTES = 25_000;
const HOSTILE_NAME = '<script>alert(1)</script> "><img src=x onerror=alert(2)> ]]> pingüino 🐧';

/** Renders `data`, screenshots it to `<name>.png` and returns the HTML and the browser's DOM. */
async function renderInBrowser(name: string, data: DriftReportData, height: number) {
  mkdirSync(folder, { recursive: true });
  const html = renderDriftReport(data);
  const reportPath = join(folder, `${name}.html`);
  const screenshotPath = join(folder, `${name}.png`);
  writeFileSync(reportPath, html);
  rmSync(screenshotPath, { force: true });
  const url = pathToFileURL(reportPath).href;
  await chromium([`--screenshot=${screenshotPath}`, `--window-size=1280,${height}`, url]);
  const png = readFileSync(screenshotPath);
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1280, height]);
  process.stdout.write(`drift report screenshot: ${screenshotPath}\n`);
  return { html, dom: await chromium(['--dump-dom', url]), bytes: statSync(screenshotPath).size };
}

describe('drift report in a browser', () => {
  it(
    'renders a drifted window with every chart, events and hostile names, and saves a screenshot',
    { timeout: 120_000 },
    async () => {
      const { html, dom, bytes } = await renderInBrowser(
        'drifted-window',
        driftReportData({ model: HOSTILE_NAME, category: HOSTILE_NAME }),
        4400,
      );
      expect(bytes).toBeGreaterThan(5 * BLANK_PAGE_BYTES);
      expect(dom.match(/<svg\b/g)).toHaveLength(svgBlocks(html).length);
      for (const id of ['chart-distribution-0', 'chart-distribution-2', 'chart-live-metric', 'chart-max-psi'])
        expect(dom).toContain(`<title id="${id}-title">`);
      expect(dom).toMatch(/<path class="series" d="M[\d.]+ [\d.]+ L/);
      expect(dom).not.toMatch(/<script|<img/i);
      expect(dom).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(dom).toContain('pingüino 🐧');
    },
  );

  it(
    'renders a first window with no live metric and no events, and saves a screenshot',
    { timeout: 120_000 },
    async () => {
      const history = driftHistory(1, { liveMetric: false });
      const { dom } = await renderInBrowser(
        'first-window',
        { ...driftReportData(), history, window: history[0], events: [] },
        3600,
      );
      expect(dom).toContain('No window had enough labeled predictions for a live metric.');
      expect(dom).toContain('Nothing was retrained, registered, canaried, promoted or rolled back');
    },
  );
});
