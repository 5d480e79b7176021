/**
 * Grouped vertical bars (fairness rates by group): one cluster per category, one bar per series.
 * A value that is not a finite number gets no bar but an "n/a" mark, so an undefined rate is not
 * mistaken for a rate of 0. Marked categories (small groups) are drawn hatched-light with a
 * dashed outline and an asterisk, explained by the chart's note.
 */

import { escapeHtml } from '../escape.js';
import { formatNumber, isFiniteNumber } from '../format.js';
import { type PlotArea, renderCategoryAxis, renderGrid, renderYAxis } from './axes.js';
import { renderChartFrame, renderEmptyChart, TITLE_HEIGHT } from './frame.js';
import { LEGEND_ROW_HEIGHT, renderLegend } from './legend.js';
import { seriesColour } from './palette.js';
import { coordinate as c, domainOf, linearScale, ticks } from './scale.js';

export interface BarGroup {
  readonly label: string;
  /** One value per series, in `seriesNames` order. */
  readonly values: readonly (number | null)[];
  readonly marked?: boolean;
}

export interface GroupedBarChart {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly seriesNames: readonly string[];
  readonly groups: readonly BarGroup[];
  readonly categoryLabel: string;
  readonly valueLabel: string;
  readonly yDomain?: readonly [number, number];
  /** Explains the marked groups; shown under the legend when any group is marked. */
  readonly markNote?: string;
  readonly emptyMessage: string;
  readonly width?: number;
}

const PLOT_HEIGHT = 220;
const MIN_SLOT = 64;

export function renderGroupedBarChart(chart: GroupedBarChart): string {
  if (chart.groups.length === 0 || chart.seriesNames.length === 0) {
    const width = chart.width ?? 560;
    return renderEmptyChart(
      { id: chart.id, title: chart.title, description: chart.description, width },
      chart.emptyMessage,
    );
  }
  const left = 64;
  const width = Math.max(chart.width ?? 560, left + 24 + chart.groups.length * MIN_SLOT);
  const plot: PlotArea = { left, top: TITLE_HEIGHT + 10, width: width - left - 24, height: PLOT_HEIGHT };
  const marked = chart.groups.some((group) => group.marked) && chart.markNote;
  const legendTop = plot.top + plot.height + 58;
  const height =
    legendTop + chart.seriesNames.length * LEGEND_ROW_HEIGHT + (marked ? LEGEND_ROW_HEIGHT : 0) + 4;
  const domain =
    chart.yDomain ??
    domainOf(
      chart.groups.flatMap((group) => group.values),
      { includeZero: true },
    );
  const y = {
    scale: linearScale(domain, [plot.top + plot.height, plot.top]),
    ticks: ticks(domain),
    label: chart.valueLabel,
  };
  const baseline = y.scale.at(Math.min(Math.max(0, domain[0]), domain[1]));
  const slot = plot.width / chart.groups.length;
  const barWidth = Math.min(28, (slot * 0.8) / chart.seriesNames.length);

  const bars = chart.groups.flatMap((group, groupIndex) => {
    const clusterLeft = plot.left + groupIndex * slot + (slot - barWidth * chart.seriesNames.length) / 2;
    return chart.seriesNames.map((seriesName, seriesIndex) => {
      const value = group.values[seriesIndex];
      const x = clusterLeft + seriesIndex * barWidth;
      const tooltip = `<title>${escapeHtml(group.label)}, ${escapeHtml(seriesName)}: ${formatNumber(value)}</title>`;
      if (!isFiniteNumber(value)) {
        return `<text class="bar-missing" x="${c(x + barWidth / 2)}" y="${c(baseline - 4)}" text-anchor="middle">${tooltip}n/a</text>`;
      }
      const end = y.scale.at(value);
      const style = group.marked
        ? ` fill-opacity="0.45" stroke="${seriesColour(seriesIndex)}" stroke-dasharray="3 2"`
        : '';
      return (
        `<rect class="bar${group.marked ? ' bar-marked' : ''}" x="${c(x + 1)}" y="${c(Math.min(end, baseline))}" width="${c(Math.max(0, barWidth - 2))}"` +
        ` height="${c(Math.abs(baseline - end))}" fill="${seriesColour(seriesIndex)}"${style}>${tooltip}</rect>`
      );
    });
  });
  const categories = chart.groups.map((group, index) => ({
    label: group.marked ? `${group.label} *` : group.label,
    position: plot.left + (index + 0.5) * slot,
  }));
  const legend = renderLegend(
    chart.seriesNames.map((name, index) => ({ name, colour: seriesColour(index), swatch: 'box' as const })),
    plot.left,
    legendTop,
  );
  const note = marked
    ? `<text class="chart-note" x="${c(plot.left)}" y="${c(legendTop + chart.seriesNames.length * LEGEND_ROW_HEIGHT + 4)}">* ${escapeHtml(chart.markNote)}</text>`
    : '';
  const body =
    renderGrid(plot, null, y) +
    renderYAxis(plot, y) +
    renderCategoryAxis(plot, 'bottom', categories, chart.categoryLabel, Math.max(3, Math.floor(slot / 6.5))) +
    `<g class="bars">${bars.join('')}</g>` +
    legend +
    note;
  return renderChartFrame(
    { id: chart.id, title: chart.title, description: chart.description, width, height },
    body,
  );
}
