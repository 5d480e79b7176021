import { describe, expect, it } from 'vitest';
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

const SECTIONS = ['summary', 'metrics', 'gates', 'feature-importance', 'fairness', 'training', 'lineage'];

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
