import { describe, expect, it } from 'vitest';
import { computeFairness } from '../../../ml/fairness/index.js';
import { argmaxRows, computeClassificationMetrics } from '../../../ml/metrics/index.js';
import { escapeHtml, truncateLabel } from '../../../reports/escape.js';
import { renderModelReport, type ModelReportData } from '../../../reports/index.js';
import { nestingProblem, strayAngleBrackets, svgBlocks, tagsOf } from './html-inspection.js';
import { binaryReport } from './report-fixtures.js';

const SCRIPT = '<script>alert(1)</script>';
const ATTRIBUTE_BREAKOUT = '"><img src=x onerror=alert(2)>';
const SINGLE_QUOTE_BREAKOUT = "'><svg onload=alert(3)>";
const CDATA_END = ']]><![CDATA[<script>alert(4)</script>';
const UNICODE = 'Größe – 体重 🐧 שלום';
const CONTROL = 'nul\u0000bell\u0007lone\uD800surrogate';

/** Each hostile string, tagged so a test can tell which field it came from. */
function hostile(field: string): string {
  return `${field} ${SCRIPT} ${ATTRIBUTE_BREAKOUT} ${SINGLE_QUOTE_BREAKOUT} ${CDATA_END} ${UNICODE} ${CONTROL}`;
}

/** A binary report whose every user-provided string is hostile, metrics and fairness computed with them. */
function hostileReport(): ModelReportData {
  const base = binaryReport();
  const actual = Int32Array.from({ length: 60 }, (_, row) => row % 2);
  const probabilities = Float64Array.from({ length: 120 }, (_, index) => {
    const row = Math.floor(index / 2);
    const positive = 0.2 + ((row * 7) % 10) / 16;
    return index % 2 === 1 ? positive : 1 - positive;
  });
  const classLabels = [hostile('class0'), hostile('class1')];
  const sensitive = [
    {
      name: hostile('attribute'),
      codes: Int32Array.from({ length: 60 }, (_, row) => (row % 10 === 0 ? 1 : 0)),
      dictionary: [hostile('groupA'), hostile('groupB')],
    },
  ];
  return {
    ...base,
    model: {
      ...base.model,
      name: hostile('model'),
      status: 'rejected',
      rejectionReasons: [hostile('reason')],
      trainer: hostile('trainer'),
      params: { [hostile('paramName')]: hostile('paramValue'), l2: 0.5 },
      createdAt: hostile('createdAt'),
      codeVersion: hostile('codeVersion'),
      primaryMetric: hostile('primaryMetric'),
    },
    evaluation: {
      kind: 'classification',
      metrics: computeClassificationMetrics({ actual, probabilities, classCount: 2, classLabels }),
    },
    fairness: computeFairness({
      actual,
      predicted: argmaxRows(probabilities, 60, 2),
      classCount: 2,
      classLabels,
      sensitive,
    }),
    featureImportance: [
      { feature: hostile('feature'), importance: 0.7 },
      { feature: 'x'.repeat(200), importance: 0.1 },
    ],
    trainingCurve: { validationMetric: hostile('validationMetric'), points: base.trainingCurve.points },
    gates: [{ name: hostile('gate'), passed: false, value: 0.1, threshold: 0.9, bound: 'min' }],
    champion: { version: 2, metrics: { [hostile('championMetric')]: 1, accuracy: 0.5 } },
    lineage: {
      pipelineRun: { workflowId: hostile('workflowId'), runId: hostile('runId') },
      dataset: {
        name: hostile('dataset'),
        version: hostile('datasetVersion'),
        uri: hostile('uri'),
        sha256: hostile('sha'),
        rows: 60,
      },
    },
    stages: base.stages.map((stage) => ({
      ...stage,
      stage: hostile('stage'),
      status: hostile('status'),
      workerIdentity: hostile('worker'),
    })),
    tuning: {
      metric: hostile('tuningMetric'),
      lowerIsBetter: false,
      bestTrialId: hostile('trial'),
      trials: [
        {
          id: hostile('trial'),
          params: { [hostile('trialParam')]: hostile('trialValue') },
          validationMetric: 0.9,
          durationMs: 10,
          status: hostile('trialStatus'),
        },
      ],
    },
  };
}

const HTML_TAGS = [
  'html',
  'head',
  'meta',
  'title',
  'style',
  'body',
  'main',
  'nav',
  'a',
  'header',
  'footer',
  'section',
  'div',
  'h1',
  'h2',
  'h3',
  'p',
  'span',
  'strong',
  'code',
  'ul',
  'li',
  'dl',
  'dt',
  'dd',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'figure',
];
const SVG_TAGS = ['svg', 'title', 'desc', 'g', 'rect', 'line', 'path', 'circle', 'text'];
const ATTRIBUTES = [
  'lang',
  'charset',
  'http-equiv',
  'content',
  'name',
  'id',
  'class',
  'href',
  'scope',
  'xmlns',
  'viewbox',
  'width',
  'height',
  'role',
  'aria-labelledby',
  'x',
  'y',
  'x1',
  'y1',
  'x2',
  'y2',
  'cx',
  'cy',
  'r',
  'd',
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-dasharray',
  'text-anchor',
  'transform',
  'font-size',
];

describe('report escaping', () => {
  it('escapes markup, quotes and CDATA ends, keeps unicode and replaces characters HTML forbids', () => {
    expect(escapeHtml(SCRIPT)).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(escapeHtml(ATTRIBUTE_BREAKOUT)).toBe('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(escapeHtml("a'b&c")).toBe('a&#39;b&amp;c');
    expect(escapeHtml(']]>')).toBe(']]&gt;');
    expect(escapeHtml(UNICODE)).toBe(UNICODE);
    expect(escapeHtml(CONTROL)).toBe('nul\uFFFDbell\uFFFDlone\uFFFDsurrogate');
    expect(escapeHtml('tab\tnew\nline')).toBe('tab\tnew\nline');
    expect(escapeHtml(null)).toBe('');
    expect(escapeHtml(42)).toBe('42');
  });

  it('cuts long labels by characters, never inside an emoji', () => {
    expect(truncateLabel('short', 10)).toBe('short');
    expect(truncateLabel('🐧🐧🐧🐧', 3)).toBe('🐧🐧…');
  });

  it('renders hostile strings in every user-provided field as text, never as markup', () => {
    const html = renderModelReport(hostileReport());
    const tags = tagsOf(html);
    expect(
      tags.filter((tag) => ![...HTML_TAGS, ...SVG_TAGS].includes(tag.name)).map((tag) => tag.name),
    ).toEqual([]);
    const attributeNames = new Set(tags.flatMap((tag) => [...tag.attributes.keys()]));
    expect([...attributeNames].filter((name) => !ATTRIBUTES.includes(name))).toEqual([]);
    expect(nestingProblem(html)).toBeNull();
    expect(strayAngleBrackets(html)).toBe(0);
    // Control characters HTML forbids (tab, newline and carriage return are allowed).
    // eslint-disable-next-line no-control-regex
    expect(html).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
    expect(html).not.toContain('<![CDATA[');

    const escaped = (field: string) => escapeHtml(hostile(field));
    for (const field of [
      'model',
      'reason',
      'trainer',
      'paramName',
      'paramValue',
      'createdAt',
      'codeVersion',
      'primaryMetric',
      'class0',
      'class1',
      'attribute',
      'groupA',
      'groupB',
      'feature',
      'validationMetric',
      'gate',
      'workflowId',
      'runId',
      'dataset',
      'datasetVersion',
      'uri',
      'sha',
      'stage',
      'status',
      'worker',
      'tuningMetric',
      'trial',
      'trialParam',
      'trialValue',
      'trialStatus',
    ]) {
      expect(html, field).toContain(escaped(field));
    }
    expect(html).toContain(UNICODE);
    expect(html).toContain('<span class="badge badge-champion">best</span>');
  });

  it('keeps hostile class, group and feature names inside SVG text and tooltips', () => {
    const html = renderModelReport(hostileReport());
    const charts = svgBlocks(html).join('');
    expect(charts).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(charts).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(charts).toContain(']]&gt;&lt;![CDATA[');
    // A long name is cut in the chart and given whole in its tooltip.
    expect(charts).toContain(`<title>${'x'.repeat(200)}</title>${'x'.repeat(27)}…`);
  });
});
