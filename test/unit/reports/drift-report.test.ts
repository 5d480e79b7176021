import { describe, expect, it } from 'vitest';
import { shortBinLabel } from '../../../reports/drift-sections/distributions.js';
import { renderDriftReport } from '../../../reports/drift-report.js';
import {
  chartIds,
  chartParts,
  nestingProblem,
  strayAngleBrackets,
  svgNumberProblems,
  tagsOf,
} from './html-inspection.js';
import { driftDocument, driftHistory, driftReportData } from './drift-fixtures.js';

const HOSTILE =
  '<script>alert(1)</script> "><img src=x onerror=alert(2)> \'><svg onload=alert(3)> ]]> Größe 🐧 nul\u0000';

/** The markup of the section with this id. */
function section(html: string, id: string): string {
  const start = html.indexOf(`<section id="${id}">`);
  if (start < 0) throw new Error(`no section ${id}`);
  return html.slice(start, html.indexOf('</section>', start));
}

/** The category axis's labels of a bar chart (its value axis's labels are right-aligned). */
function categoryLabels(svg: string): string[] {
  const axis = svg.slice(svg.indexOf('<g class="axis axis-x">'));
  return [
    ...axis.matchAll(
      /<text class="tick-label"[^>]*text-anchor="middle">(?:<title>[^<]*<\/title>)?([^<]*)<\/text>/g,
    ),
  ].map((match) => match[1]);
}

function expectWellFormed(html: string): void {
  expect(nestingProblem(html)).toBeNull();
  expect(strayAngleBrackets(html)).toBe(0);
  expect(svgNumberProblems(html)).toEqual([]);
  expect(html).not.toMatch(/NaN|Infinity|undefined|\[object Object\]/);
}

describe('drift report', () => {
  it('draws reference against window for every feature and the predictions, categories by name', () => {
    const html = renderDriftReport(driftReportData());
    expectWellFormed(html);
    expect(chartIds(html)).toEqual([
      'chart-distribution-0',
      'chart-distribution-1',
      'chart-distribution-2',
      'chart-distribution-3',
      'chart-live-metric',
      'chart-max-psi',
    ]);
    const flipper = chartParts(html, 'chart-distribution-0');
    // 20 PSI bins labelled by their upper edge, the last by its lower one.
    const bins = categoryLabels(flipper.svg);
    expect(bins).toHaveLength(20);
    expect(bins[0]).toMatch(/^≤ \d{3}(\.\d{1,2})?$/);
    expect(bins.at(-1)).toMatch(/^&gt; \d{3}/);
    expect(flipper.svg).toContain('reference (training)');
    expect(flipper.svg.match(/<rect class="bar"/g)!.length).toBeGreaterThanOrEqual(20);
    const island = chartParts(html, 'chart-distribution-2');
    // The window's unseen "Alchemy" counts as "(other)", next to the training categories.
    expect(categoryLabels(island.svg)).toEqual(['Biscoe', 'Dream', 'Torgersen', '(other)']);
    expect(chartParts(html, 'chart-distribution-3').svg).toContain('the model&#39;s predictions');
  });

  it('lists each statistic next to its threshold, and the dataset verdict', () => {
    const html = renderDriftReport(driftReportData());
    const features = section(html, 'features');
    const flipperRow = features.slice(
      features.indexOf('Flipper Length'),
      features.indexOf('</tr>', features.indexOf('Flipper Length')),
    );
    // Each statistic with the threshold it is judged by, in the feature's own row.
    expect(flipperRow).toMatch(
      />\d+\.\d{4}<br><span class="threshold">drift ≥ 0\.100<\/span><br><span class="threshold">significant ≥ 0\.250<\/span>/,
    );
    expect(flipperRow).toMatch(/>0\.\d{4}<br><span class="threshold">drift ≥ 0\.100<\/span><\/td>/);
    expect(flipperRow.match(/class="threshold">drift/g)).toHaveLength(3);
    expect(flipperRow).toMatch(/>0\.\d{4}<br><span class="threshold">p \d\.\d{2}e-\d+<\/span>/);
    expect(features).toMatch(/<tr class="row-fail"><td><code>Flipper Length \(mm\)<\/code>/);
    expect(features).toMatch(/PSI \d+\.\d{4} &gt;= 0\.25/);
    expect(features).toContain('badge-fail">significant');
    const verdict = section(html, 'verdict');
    expect(verdict).toMatch(
      /\d of 3 features drifted \(\d+\.\d%\); the dataset counts as drifted at 50\.0% or more/,
    );
    expect(verdict).toContain('the window has only 300 rows');
  });

  it('shows a window with no value of a feature as all missing, without statistics it cannot have', () => {
    const html = renderDriftReport(driftReportData());
    const features = section(html, 'features');
    const depthRow = features.slice(features.indexOf('Beak Depth (mm)'));
    expect(depthRow).toMatch(
      /^Beak Depth \(mm\)<\/code><br><span class="feature-kind">numeric<\/span><\/td><td class="num">0 \/ 600<\/td><td class="num">100\.0% \/ 0\.0%<\/td><td class="num">\d+\.\d{4}<br>/,
    );
    expect(depthRow).toContain('every window value of this feature is missing');
    expect(section(html, 'distributions')).toContain('No row of this window has a value for this feature');
  });

  it('draws the live metric against the test value over the windows, and marks this window', () => {
    const html = renderDriftReport(driftReportData());
    const live = chartParts(html, 'chart-live-metric');
    // The window without enough labels leaves a gap in the points, not a zero.
    expect(live.svg.match(/<circle/g)).toHaveLength(11 + 12);
    expect(live.axisLabels).toEqual(['window (1 = oldest shown)', 'accuracy']);
    const overTime = section(html, 'over-time');
    expect(overTime.match(/<tr class="row-current[^"]*">/g)).toHaveLength(1);
    expect(overTime).toContain('0.8400 (120 labeled)');
    // The window whose max PSI is unknown draws no point but keeps its row.
    expect(chartParts(html, 'chart-max-psi').svg.match(/<circle/g)).toHaveLength(11 + 12);
  });

  it('lists retrain, canary, promote and rollback events with the window each fell in', () => {
    const html = renderDriftReport(driftReportData());
    const events = section(html, 'events');
    for (const action of ['retrain', 'register', 'canary-start', 'canary-promote', 'rollback'])
      expect(events).toContain(`">${action}</span>`);
    expect(events).toContain('1 of 5 in this window');
    expect(events).toMatch(
      /<tr class="row-current"><td>2031-05-14 11:30:00 UTC<\/td><td class="num">12<\/td>/,
    );
    expect(events).toMatch(/<td>2031-05-14 04:30:00 UTC<\/td><td class="num">5<\/td>/);
  });

  it('renders degenerate data: NaN statistics, no live metric, no events, an empty or malformed document', () => {
    const document = driftDocument();
    const features = document.features as Record<string, unknown>[];
    features[0] = { ...features[0], populationStabilityIndex: Number.NaN, jensenShannonDistance: Infinity };
    const history = driftHistory(1, { liveMetric: false }).map((point) => ({ ...point, maxPsi: Number.NaN }));
    const data = { ...driftReportData(), drift: document, history, window: history[0], events: [] };
    const html = renderDriftReport(data);
    expectWellFormed(html);
    expect(chartParts(html, 'chart-live-metric').svg).toContain(
      'No window had enough labeled predictions for a live metric.',
    );
    expect(chartParts(html, 'chart-max-psi').svg).toContain('No window has a PSI.');
    expect(section(html, 'events')).toContain(
      'Nothing was retrained, registered, canaried, promoted or rolled back',
    );
    expect(section(html, 'features')).toMatch(
      /Flipper Length \(mm\)<\/code><br><span class="feature-kind">numeric<\/span><\/td><td class="num">300 \/ 600<\/td><td class="num">0\.0% \/ 0\.0%<\/td><td class="num">–<br><span class="threshold">drift[^<]*<\/span><br><span class="threshold">significant[^<]*<\/span><\/td><td class="num">–<br>/,
    );

    for (const drift of [{}, null, 'not a report', { features: [null, 3, { bins: 'x' }], verdict: 7 }]) {
      const malformed = renderDriftReport({ ...data, drift });
      expectWellFormed(malformed);
      expect(malformed).toContain('</html>');
    }
  });

  it('escapes every stored string: model, feature and category names, actors and details', () => {
    const data = driftReportData({
      model: `model ${HOSTILE}`,
      numeric: `numeric ${HOSTILE}`,
      categorical: `categorical ${HOSTILE}`,
      category: `category ${HOSTILE}`,
    });
    const html = renderDriftReport({
      ...data,
      events: data.events.map((event) => ({
        ...event,
        action: `${event.action} ${HOSTILE}`,
        actor: HOSTILE,
        detail: HOSTILE,
      })),
    });
    expectWellFormed(html);
    const names = tagsOf(html).map((tag) => tag.name);
    expect(names).not.toContain('script');
    expect(names).not.toContain('img');
    expect(
      tagsOf(html).filter((tag) => [...tag.attributes.keys()].some((name) => name.startsWith('on'))),
    ).toEqual([]);
    expect(tagsOf(html).filter((tag) => tag.name === 'svg' && !tag.closing)).toHaveLength(6);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Größe 🐧 nul\uFFFD');
    expect(html).not.toContain('\u0000');
  });

  it('labels a numeric bin by its upper edge in four significant digits', () => {
    expect(shortBinLabel('(-∞, 183.00598852336407]', 'numeric')).toBe('≤ 183');
    expect(shortBinLabel('(0.000123456, 0.00098765]', 'numeric')).toBe('≤ 0.0009877');
    expect(shortBinLabel('(218.09368475340307, +∞)', 'numeric')).toBe('> 218.1');
    expect(shortBinLabel('(-∞, +∞)', 'numeric')).toBe('all');
    expect(shortBinLabel('= 3', 'numeric')).toBe('= 3');
    expect(shortBinLabel('(missing)', 'numeric')).toBe('(missing)');
    expect(shortBinLabel('(a, b]', 'categorical')).toBe('(a, b]');
  });
});
