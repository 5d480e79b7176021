import { describe, expect, it } from 'vitest';
import { formatNumber } from '../../../reports/format.js';
import { renderModelReport } from '../../../reports/index.js';
import { chartParts } from './html-inspection.js';
import { binaryReport } from './report-fixtures.js';

describe('model report sections', () => {
  it('states the status, rejection reasons, trainer, params, creation time and code version in the header', () => {
    const data = binaryReport();
    const rejected = renderModelReport({
      ...data,
      model: {
        ...data.model,
        status: 'rejected',
        rejectionReasons: ['accuracy 0.61 is below the gate minimum 0.9'],
      },
    });
    expect(rejected).toContain('<span class="badge badge-fail">rejected</span>');
    expect(rejected).toContain('<li>accuracy 0.61 is below the gate minimum 0.9</li>');
    const promoted = renderModelReport(data);
    expect(promoted).toContain('promoted to champion');
    expect(promoted).not.toContain('Rejected because');
    expect(promoted).toContain(
      '<span class="model-name">credit-default</span> <span class="model-version">version 3</span>',
    );
    expect(promoted).toContain('<code>logistic_regression</code>');
    expect(promoted).toContain('<td><code>l2</code></td><td><code>0.001</code></td>');
    expect(promoted).toContain('<td><code>fitIntercept</code></td><td><code>true</code></td>');
    expect(promoted).toContain('2025-03-14 09:26:53 UTC');
    expect(promoted).toContain('<code>4f1c2e9ab03d7c55e1b0a9d2c3f4e5a6b7c8d9e0</code>');
  });

  it('lists gates with value, threshold and result', () => {
    const data = binaryReport();
    const html = renderModelReport({
      ...data,
      gates: [
        { name: 'accuracy', passed: false, value: 0.61, threshold: 0.9, bound: 'min' },
        { name: 'equalized_odds_difference', passed: true, value: 0.1, threshold: 0.2, bound: 'max' },
      ],
    });
    expect(html).toContain('1 of 2 gates failed.');
    expect(html).toContain(
      '<tr class="row-fail"><td>accuracy</td><td class="num">0.6100</td><td class="num">≥ 0.9000</td><td><span class="badge badge-fail">fail</span></td></tr>',
    );
    expect(html).toContain(
      '<td class="num">≤ 0.2000</td><td><span class="badge badge-pass">pass</span></td>',
    );
  });

  it('shows the 20 most important features, largest absolute importance first', () => {
    const html = renderModelReport(binaryReport());
    const svg = chartParts(html, 'chart-feature-importance').svg;
    const labels = [...svg.matchAll(/<text class="tick-label"[^>]*text-anchor="end">([^<]*)<\/text>/g)].map(
      (m) => m[1],
    );
    expect(labels).toHaveLength(20);
    expect(labels.slice(0, 3)).toEqual(['feature 1 (mm)', 'feature 2 (mm)', 'feature 3 (mm)']);
    expect(labels).not.toContain('feature 21 (mm)');
    expect(svg.match(/<rect class="bar"/g)).toHaveLength(20);
    expect(html).toContain('The 20 most important of 25 features.');
  });

  it('marks small fairness groups and leaves undefined rates unbarred', () => {
    const data = binaryReport();
    const html = renderModelReport(data);
    const svg = chartParts(html, 'chart-fairness-0-0').svg;
    const groups = data.fairness!.classes[0].attributes[0].groups;
    expect(groups.map((group) => group.group)).toEqual(['female', 'male', 'other', '(missing)']);
    expect(svg).toContain('>other *</text>');
    expect(svg).toContain('>(missing) *</text>');
    expect(svg).toContain('* small group: fewer than 30 rows');
    expect(svg.match(/<rect class="bar bar-marked"/g)?.length).toBeGreaterThan(0);
    for (const rate of ['Selection rate', 'True positive rate', 'False positive rate'])
      expect(svg).toContain(`>${rate}</text>`);
  });

  it('summarises lineage and stage costs with totals', () => {
    const data = binaryReport();
    const html = renderModelReport(data);
    expect(html).toContain(`<code class="wrap">${data.lineage.dataset.sha256}</code>`);
    expect(html).toContain(`<code class="wrap">${data.lineage.dataset.uri}</code>`);
    expect(html).toContain('<dt>Rows</dt><dd>1\u202F344</dd>');
    const totalMs = data.stages.reduce((sum, stage) => sum + stage.durationMs!, 0);
    const totalJoules = data.stages.reduce((sum, stage) => sum + stage.energyJoules!, 0);
    expect(totalMs).toBe(12_960);
    expect(html).toContain('<td>2 of 8 hits</td><td class="num">13.0 s</td>');
    expect(html).toContain(`${formatNumber(totalJoules, 1)} J (${formatNumber(totalJoules / 3600, 4)} Wh)`);
    expect(html).toContain('<td class="num">max 164.0 MiB</td>');
    expect(html).toMatch(
      /<td>train<\/td><td><span class="badge badge-pass">succeeded<\/span><\/td><td class="num">2<\/td>/,
    );
  });

  it('marks the best tuning trial', () => {
    const html = renderModelReport(binaryReport());
    expect(html).toContain(
      '<tr class="row-best"><td>trial-1 <span class="badge badge-champion">best</span></td>',
    );
    expect(html.match(/class="row-best"/g)).toHaveLength(1);
    expect(html).toContain('<code>l2=0.001</code>');
  });
});
