import { describe, expect, it } from 'vitest';
import { fairnessSummary } from '../../../activities/pipeline/scoring.js';
import { escapeHtml } from '../../../reports/escape.js';
import { formatNumber } from '../../../reports/format.js';
import { renderModelReport } from '../../../reports/index.js';
import type { ModelReportData } from '../../../reports/index.js';
import {
  chartIds,
  chartParts,
  nestingProblem,
  strayAngleBrackets,
  svgBlocks,
  tagsOf,
} from './html-inspection.js';
import { binaryReport, multiclassReport, regressionReport } from './report-fixtures.js';

const SECTIONS = [
  'summary',
  'metrics',
  'gates',
  'inputs',
  'feature-importance',
  'fairness',
  'training',
  'lineage',
  'artifacts',
];

function classification(data: ModelReportData) {
  if (data.evaluation.kind !== 'classification') throw new Error('expected a classification report');
  return data.evaluation.metrics;
}

function expectWellFormedCharts(html: string) {
  const svgs = svgBlocks(html);
  expect(svgs.length).toBeGreaterThan(0);
  for (const svg of svgs) {
    const svgTag = tagsOf(svg)[0];
    const [titleId, descriptionId] = (svgTag.attributes.get('aria-labelledby') ?? '').split(' ');
    expect(svgTag.attributes.get('role')).toBe('img');
    expect(svg).toContain(`<title id="${titleId}">`);
    expect(svg).toContain(`<desc id="${descriptionId}">`);
    expect(svg).toMatch(/<text class="chart-title"[^>]*>[^<]+<\/text>/);
  }
  const ids = tagsOf(html).flatMap((tag) => (tag.attributes.has('id') ? [tag.attributes.get('id')] : []));
  expect(new Set(ids).size).toBe(ids.length);
}

describe('model report', () => {
  it('shows every section and chart of a binary classifier, built from real metrics output', () => {
    const data = binaryReport();
    const html = renderModelReport(data);

    expect(nestingProblem(html)).toBeNull();
    expect(strayAngleBrackets(html)).toBe(0);
    for (const id of [...SECTIONS, 'evaluation-charts', 'trials']) expect(html).toContain(`id="${id}"`);
    expect(chartIds(html)).toEqual([
      'chart-roc',
      'chart-precision-recall',
      'chart-calibration',
      'chart-confusion',
      'chart-feature-importance',
      'chart-fairness-0-0',
      'chart-training-loss',
      'chart-training-validation',
    ]);
    expectWellFormedCharts(html);

    const metrics = classification(data);
    expect(html).toContain(`<td>Accuracy</td><td class="num">${formatNumber(metrics.accuracy)}</td>`);
    expect(html).toContain(`<td>ROC AUC</td><td class="num">${formatNumber(metrics.rocAuc)}</td>`);
    expect(html).toContain(`class default (AUC ${formatNumber(metrics.rocCurves[0].auc, 3)})`);
    expect(html).toContain('chance (AUC 0.5)');
    expect(html).toContain('perfectly calibrated');

    const roc = chartParts(html, 'chart-roc');
    expect(roc.axisLabels).toEqual(['False positive rate', 'True positive rate']);
    expect(roc.tickLabels).toEqual([
      '0.0',
      '0.2',
      '0.4',
      '0.6',
      '0.8',
      '1.0',
      '0.0',
      '0.2',
      '0.4',
      '0.6',
      '0.8',
      '1.0',
    ]);
    expect(roc.svg.match(/<path class="series"/g)).toHaveLength(1);
    expect(roc.svg).toContain('<line class="reference"');

    const cells = [
      ...chartParts(html, 'chart-confusion').svg.matchAll(
        /<text class="cell-value[^"]*"[^>]*>([^<]*)<\/text>/g,
      ),
    ];
    expect(cells.map((cell) => Number(cell[1]))).toEqual(metrics.confusionMatrix.flat());
  });

  it('draws one-vs-rest curves and fairness per class for a multiclass classifier, and compares with the champion', () => {
    const data = multiclassReport();
    const html = renderModelReport(data);
    expect(nestingProblem(html)).toBeNull();
    for (const id of [...SECTIONS, 'evaluation-charts']) expect(html).toContain(`id="${id}"`);
    expectWellFormedCharts(html);

    const metrics = classification(data);
    const roc = chartParts(html, 'chart-roc').svg;
    expect(roc.match(/<path class="series"/g)).toHaveLength(3);
    for (const curve of metrics.rocCurves) {
      expect(roc).toContain(`${curve.positiveClass} vs rest (AUC ${formatNumber(curve.auc, 3)})`);
    }
    expect(chartParts(html, 'chart-calibration').svg.match(/<path class="series"/g)).toHaveLength(3);
    expect(chartParts(html, 'chart-confusion').svg.match(/<rect class="cell"/g)).toHaveLength(9);
    expect(chartIds(html).filter((id) => id.startsWith('chart-fairness-'))).toEqual([
      'chart-fairness-0-0',
      'chart-fairness-1-0',
      'chart-fairness-2-0',
    ]);

    expect(html).toContain('Compared with champion version 2 on the same test set.');
    const difference = metrics.accuracy - 0.5;
    expect(html).toContain(
      `<td>Accuracy</td><td class="num">${formatNumber(metrics.accuracy)}</td><td class="num">0.5000</td>` +
        `<td class="num">+${formatNumber(difference)}</td><td><span class="badge badge-pass">better</span></td>`,
    );
  });

  it('states the fairness gate rule in its headline: the judged worst, the small groups it leaves out, and all groups', () => {
    const data = binaryReport();
    const html = renderModelReport(data);
    const judged = fairnessSummary(data.fairness);
    expect(html).toContain(
      `As the gates judge it: worst demographic parity difference ${formatNumber(judged.demographic_parity_difference)}`,
    );
    const attribute = data.fairness!.classes[0].attributes[0];
    expect(attribute.smallGroups.length).toBeGreaterThan(0);
    for (const group of attribute.smallGroups) {
      const rows = attribute.groups.find((candidate) => candidate.group === group)!.count;
      expect(html).toContain(`${escapeHtml(group)} (${rows} rows)`);
    }
    expect(html).toContain(
      `Over all groups, small ones included: demographic parity difference ${formatNumber(data.fairness!.worst.demographicParityDifference)}`,
    );
    // Without small groups there is nothing to leave out.
    const fairness = {
      ...data.fairness!,
      classes: data.fairness!.classes.map((entry) => ({
        ...entry,
        attributes: entry.attributes.map((each) => ({ ...each, excludingSmallGroups: null })),
      })),
    };
    const everyGroupLarge = renderModelReport({ ...data, fairness });
    expect(everyGroupLarge).toContain('No group was left out');
  });

  it('says how importance was measured, shows the inputs with their training values, and lists the artifacts', () => {
    const data = binaryReport();
    const html = renderModelReport(data);
    expect(html).toContain('Method: permutation: how much accuracy worsens on 240 held-out rows');
    expect(renderModelReport({ ...data, featureImportanceMethod: { kind: 'gain' } })).toContain(
      'own total split gain per feature',
    );
    expect(renderModelReport({ ...data, featureImportanceMethod: undefined })).toContain(
      'Method: not recorded with this evaluation.',
    );
    expect(html).toContain(
      '<td><code>flipper_length_mm</code></td><td>numeric</td><td>172 to 231 (mean 200.9)</td>',
    );
    expect(html).toContain('<code>&lt;script&gt;alert(1)&lt;/script&gt;</code> and 8 more');
    expect(html).toContain('every training value was missing');
    expect(html).toContain('342 of 342');
    for (const artifact of data.artifacts!) {
      expect(html).toContain(`<code class="wrap">${artifact.uri}</code>`);
      expect(html).toContain(artifact.sha256);
    }
    expect(html).toContain('<td>model file</td>');
    const metrics = classification(data);
    expect(html).toContain(
      `class default (AP ${formatNumber(metrics.precisionRecallCurves[0].averagePrecision, 3)})`,
    );
    // An evaluation stored before these were kept still renders, saying what it lacks.
    const older = renderModelReport({
      ...data,
      inputs: undefined,
      artifacts: undefined,
      evaluation: { kind: 'classification', metrics: { ...metrics, precisionRecallCurves: undefined! } },
    });
    expect(older).toContain('No input profile was kept for this version');
    expect(older).toContain('No artifacts were recorded for this version.');
    expect(older).toContain('this evaluation was stored before they were kept');
  });

  it('shows regression metrics and no classifier charts for a regression model', () => {
    const data = regressionReport();
    const html = renderModelReport(data);
    expect(nestingProblem(html)).toBeNull();
    for (const id of SECTIONS) expect(html).toContain(`id="${id}"`);
    expect(html).not.toContain('id="evaluation-charts"');
    expect(html).not.toContain('id="trials"');
    expect(chartIds(html)).toEqual([
      'chart-feature-importance',
      'chart-training-loss',
      'chart-training-validation',
    ]);
    expectWellFormedCharts(html);
    if (data.evaluation.kind !== 'regression') throw new Error('expected regression');
    const { rmse, mae, r2 } = data.evaluation.metrics;
    expect(html).toContain(`<td>RMSE</td><td class="num">${formatNumber(rmse)}</td><td>lower</td>`);
    expect(html).toContain(`<td>MAE</td><td class="num">${formatNumber(mae)}</td><td>lower</td>`);
    expect(html).toContain(`<td>R²</td><td class="num">${formatNumber(r2)}</td><td>higher</td>`);
    expect(html).toContain('No fairness evaluation');
    // rmse is lower than the champion's 0.7 only if the model is better: the verdict follows the direction.
    expect(html).toContain(
      `<td>RMSE</td><td class="num">${formatNumber(rmse)}</td><td class="num">0.7000</td>`,
    );
    expect(html).toContain(rmse < 0.7 ? 'badge-pass">better' : 'badge-fail">worse');
  });

  it('is self-contained: no scripts, no external resources, scripts forbidden by its content security policy', () => {
    for (const data of [binaryReport(), multiclassReport(), regressionReport()]) {
      const html = renderModelReport(data);
      const tags = tagsOf(html);
      expect(
        tags.filter((tag) =>
          ['script', 'link', 'img', 'iframe', 'object', 'embed', 'image', 'use', 'foreignobject'].includes(
            tag.name,
          ),
        ),
      ).toEqual([]);
      for (const tag of tags) {
        for (const [name, value] of tag.attributes) {
          expect(name.startsWith('on'), `${tag.name} has event handler ${name}`).toBe(false);
          if (name === 'href') expect(value).toMatch(/^#[a-z-]+$/);
          expect(name).not.toBe('src');
        }
      }
      expect(html).not.toMatch(/url\(|@import|javascript:/i);
      expect(html.replaceAll('xmlns="http://www.w3.org/2000/svg"', '')).not.toMatch(/https?:\/\/(?!mlops)/);
      expect(html).toContain(
        `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline';`,
      );
    }
  });

  it('renders the same report from its JSON round trip', () => {
    for (const data of [binaryReport(), multiclassReport(), regressionReport()]) {
      expect(renderModelReport(JSON.parse(JSON.stringify(data)) as ModelReportData)).toBe(
        renderModelReport(data),
      );
    }
  });
});
