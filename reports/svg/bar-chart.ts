/**
 * Horizontal bar chart (feature importance): one row per bar, its name left of the axis and its
 * value next to it. Bars grow from zero, to the left for negative values. The chart grows
 * with the number of bars; a bar without a finite value is listed with "–" and no bar.
 */

import { escapeHtml } from '../escape.js';
import { formatNumber, isFiniteNumber } from '../format.js';
import { type PlotArea, renderCategoryAxis, renderGrid, renderXAxis } from './axes.js';
import { renderChartFrame, renderEmptyChart, TITLE_HEIGHT } from './frame.js';
import { seriesColour } from './palette.js';
import { coordinate as c, domainOf, linearScale, ticks } from './scale.js';

export interface Bar {
  readonly label: string;
  readonly value: number | null;
}

export interface HorizontalBarChart {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly bars: readonly Bar[];
  readonly valueLabel: string;
  readonly categoryLabel: string;
  readonly emptyMessage: string;
  readonly width?: number;
}

const ROW_HEIGHT = 22;
const LABEL_WIDTH = 190;
const LABEL_CHARS = 28;

export function renderHorizontalBarChart(chart: HorizontalBarChart): string {
  const width = chart.width ?? 720;
  if (chart.bars.length === 0) {
    return renderEmptyChart(
      { id: chart.id, title: chart.title, description: chart.description, width },
      chart.emptyMessage,
    );
  }
  const plot: PlotArea = {
    left: LABEL_WIDTH + 20,
    top: TITLE_HEIGHT + 10,
    width: width - LABEL_WIDTH - 20 - 80,
    height: chart.bars.length * ROW_HEIGHT,
  };
  const height = plot.top + plot.height + 52;
  const domain = domainOf(
    chart.bars.map((bar) => bar.value),
    { includeZero: true },
  );
  const x = {
    scale: linearScale(domain, [plot.left, plot.left + plot.width]),
    ticks: ticks(domain),
    label: chart.valueLabel,
  };
  const zero = x.scale.at(0);
  const rows = chart.bars.map((bar, index) => {
    const top = plot.top + index * ROW_HEIGHT;
    const middle = top + ROW_HEIGHT / 2;
    if (!isFiniteNumber(bar.value)) {
      return `<text class="bar-value" x="${c(zero + 4)}" y="${c(middle + 4)}">${formatNumber(bar.value)}</text>`;
    }
    const end = x.scale.at(bar.value);
    const left = Math.min(zero, end);
    const barWidth = Math.abs(end - zero);
    // Values sit right of the bar's outer end, or for a negative bar right of zero, where the
    // label cannot run into the feature names left of the axis.
    const valueX = bar.value < 0 ? zero + 4 : left + barWidth + 4;
    return (
      `<rect class="bar" x="${c(left)}" y="${c(top + 3)}" width="${c(barWidth)}" height="${c(ROW_HEIGHT - 6)}" fill="${seriesColour(0)}">` +
      `<title>${escapeHtml(bar.label)}: ${formatNumber(bar.value)}</title></rect>` +
      `<text class="bar-value" x="${c(valueX)}" y="${c(middle + 4)}" text-anchor="start">${formatNumber(bar.value)}</text>`
    );
  });
  const categories = chart.bars.map((bar, index) => ({
    label: bar.label,
    position: plot.top + index * ROW_HEIGHT + ROW_HEIGHT / 2,
  }));
  const body =
    renderGrid(plot, x, null) +
    renderXAxis(plot, x) +
    renderCategoryAxis(plot, 'left', categories, chart.categoryLabel, LABEL_CHARS, LABEL_WIDTH + 4) +
    `<g class="bars">${rows.join('')}</g>`;
  return renderChartFrame(
    { id: chart.id, title: chart.title, description: chart.description, width, height },
    body,
  );
}
