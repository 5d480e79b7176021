/** The model's windows up to this one: live metric against the test value, and the largest PSI. */

import { escapeHtml } from '../escape.js';
import { formatCount, formatNumber, formatTimestamp, MISSING } from '../format.js';
import { badge, paragraph, renderSection, renderTable } from '../html.js';
import type { DriftHistoryPoint, DriftThresholdsData } from '../drift-types.js';
import { renderLineChart } from '../svg/line-chart.js';

const TABLE_ROWS = 25;

function liveMetricChart(history: readonly DriftHistoryPoint[]): string {
  const named = history.find((point) => point.liveMetric)?.liveMetric?.name ?? 'metric';
  const points = history.map((point, index) => ({ x: index + 1, y: point.liveMetric?.value ?? null }));
  const tests = history.map((point, index) => ({ x: index + 1, y: point.liveMetric?.testValue ?? null }));
  return renderLineChart({
    id: 'chart-live-metric',
    title: `Live ${named} per window`,
    description: `The primary metric on each window's labeled predictions, next to the served version's test value.`,
    xLabel: 'window (1 = oldest shown)',
    yLabel: named,
    series: [
      { name: `live ${named}`, points },
      { name: `test ${named} of the served version`, points: tests },
    ],
    markers: true,
    integerX: true,
    emptyMessage: 'No window had enough labeled predictions for a live metric.',
    width: 560,
  });
}

function psiChart(history: readonly DriftHistoryPoint[], thresholds: DriftThresholdsData): string {
  // The threshold line alone is no chart: without a PSI the chart says so instead.
  const significant = history.some((point) => point.maxPsi !== null && Number.isFinite(point.maxPsi))
    ? thresholds.psiSignificant
    : null;
  return renderLineChart({
    id: 'chart-max-psi',
    title: 'Largest PSI per window',
    description: 'The largest population stability index over the features of each window.',
    xLabel: 'window (1 = oldest shown)',
    yLabel: 'max PSI',
    series: [
      { name: 'max PSI', points: history.map((point, index) => ({ x: index + 1, y: point.maxPsi })) },
      ...(significant === null
        ? []
        : [
            {
              name: `significant (${formatNumber(significant, 2)})`,
              points: history.map((_, index) => ({ x: index + 1, y: significant })),
            },
          ]),
    ],
    markers: true,
    integerX: true,
    emptyMessage: 'No window has a PSI.',
    width: 560,
  });
}

function liveCell(point: DriftHistoryPoint): string {
  const live = point.liveMetric;
  if (!live || live.value === null) return MISSING;
  return `${formatNumber(live.value)} (${formatCount(live.labeled)} labeled)`;
}

export function renderOverTimeSection(
  history: readonly DriftHistoryPoint[],
  currentId: number,
  thresholds: DriftThresholdsData,
): string {
  const shown = history.slice(-TABLE_ROWS);
  const firstNumber = history.length - shown.length + 1;
  const table = renderTable(
    [
      { title: '#', numeric: true },
      { title: 'Window end' },
      { title: 'Version' },
      { title: 'Rows', numeric: true },
      { title: 'Max PSI', numeric: true },
      { title: 'Verdict' },
      { title: 'Live metric', numeric: true },
    ],
    shown.map((point, index) => [
      escapeHtml(firstNumber + index),
      escapeHtml(formatTimestamp(point.windowEnd)),
      escapeHtml(`v${point.version}`),
      escapeHtml(formatCount(point.rows)),
      escapeHtml(formatNumber(point.maxPsi)),
      point.drifted ? badge('drift', 'fail') : badge('ok', 'pass'),
      escapeHtml(liveCell(point)),
    ]),
    shown.map((point) =>
      [point.id === currentId ? 'row-current' : '', point.drifted ? 'row-drift' : ''].join(' ').trim(),
    ),
  );
  const more =
    history.length > shown.length
      ? paragraph(
          `The table shows the newest ${shown.length} of ${history.length} windows; the charts show all.`,
        )
      : '';
  return renderSection(
    'over-time',
    'Over time',
    `<div class="chart-grid">${liveMetricChart(history)}${psiChart(history, thresholds)}</div>` +
      `<h3>Windows</h3>${table}${more}` +
      paragraph("The highlighted row is this report's window."),
  );
}
