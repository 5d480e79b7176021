/**
 * The report in a real browser: headless Chromium (Debian's `chromium` package) renders it from
 * a file:// URL, saves a screenshot to test/artifacts/model-report.png for people to look at,
 * and dumps the DOM it built, which must hold every chart and nothing injected.
 */

import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderModelReport } from '../../../reports/index.js';
import { chromium, PNG_SIGNATURE } from './headless-chromium.js';
import { svgBlocks } from './html-inspection.js';
import { multiclassReport } from './report-fixtures.js';

const artifacts = fileURLToPath(new URL('../../artifacts/', import.meta.url));
// A blank 1280x4000 page screenshots to about 23 KB; the report's charts and tables to several hundred.
const BLANK_PAGE_BYTES = 23_000;

describe('model report in a browser', () => {
  it(
    'renders in headless Chromium with every chart, and saves a screenshot',
    { timeout: 120_000 },
    async () => {
      const hostileName = '<script>alert(1)</script> "><img src=x onerror=alert(2)> ]]> pingüino 🐧';
      const html = renderModelReport(multiclassReport(hostileName));
      mkdirSync(artifacts, { recursive: true });
      const reportPath = join(artifacts, 'model-report.html');
      const screenshotPath = join(artifacts, 'model-report.png');
      writeFileSync(reportPath, html);
      rmSync(screenshotPath, { force: true });
      const url = pathToFileURL(reportPath).href;

      await chromium([`--screenshot=${screenshotPath}`, '--window-size=1280,4000', url]);
      const png = readFileSync(screenshotPath);
      expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1280, 4000]);
      expect(statSync(screenshotPath).size).toBeGreaterThan(5 * BLANK_PAGE_BYTES);

      const dom = await chromium(['--dump-dom', url]);
      const charts = svgBlocks(html).length;
      expect(charts).toBe(10);
      expect(dom.match(/<svg\b/g)).toHaveLength(charts);
      for (const id of [
        'chart-roc',
        'chart-precision-recall',
        'chart-calibration',
        'chart-confusion',
        'chart-feature-importance',
        'chart-fairness-0-0',
        'chart-training-loss',
      ]) {
        expect(dom).toContain(`<title id="${id}-title">`);
      }
      expect(dom).toMatch(/<path class="series" d="M[\d.]+ [\d.]+ L/);
      expect(dom).not.toMatch(/<script|<img/i);
      expect(dom).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(dom).toContain('pingüino 🐧');
    },
  );
});
