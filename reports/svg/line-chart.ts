/**
 * Line charts (ROC, calibration, training curves): numeric axes, one line per series, optional
 * point markers, an optional y = x reference line, and a legend below the plot. Points with a
 * non-finite coordinate are left out, so missing values never reach the path data.
 */

import { isFiniteNumber } from '../format.js';
import { type PlotArea, renderGrid, renderXAxis, renderYAxis } from './axes.js';
import { renderChartFrame, renderEmptyChart, TITLE_HEIGHT } from './frame.js';
import { LEGEND_ROW_HEIGHT, type LegendEntry, renderLegend } from './legend.js';
import { REFERENCE_COLOUR, seriesColour, seriesDash } from './palette.js';
import { coordinate as c, domainOf, linearScale, ticks } from './scale.js';

export interface LinePoint {
  readonly x: number | null;
  readonly y: number | null;
}

export interface LineSeries {
  readonly name: string;
  readonly points: readonly LinePoint[];
}

export interface LineChart {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly LineSeries[];
  /** Fixed axis ranges (e.g. [0, 1] for rates); default: the data's range, rounded out. */
  readonly xDomain?: readonly [number, number];
  readonly yDomain?: readonly [number, number];
  /** Name of a dashed y = x reference line (chance, perfect calibration); null for none. */
  readonly diagonal?: string | null;
  /** Draw a dot at every point, not only where a series has a single point. */
  readonly markers?: boolean;
  /** x values are counts (iterations): ticks only at whole numbers. */
  readonly integerX?: boolean;
  /** Shown instead of the plot when no series has a drawable point. */
  readonly emptyMessage: string;
  readonly width?: number;
}

const MARGIN = { left: 64, right: 24, top: TITLE_HEIGHT + 10, bottom: 52 };
const PLOT_HEIGHT = 280;

function drawablePoints(points: readonly LinePoint[]): { x: number; y: number }[] {
  return points.filter(
    (point): point is { x: number; y: number } => isFiniteNumber(point.x) && isFiniteNumber(point.y),
  );
}

/** A domain for whole-number x values: one value gets a neighbour on each side, not fractions. */
function integerDomain(values: readonly number[]): [number, number] {
  const low = Math.min(...values);
  const high = Math.max(...values);
  return high - low < 2 ? [Math.floor(low) - 1, Math.ceil(high) + 1] : domainOf(values);
}

export function renderLineChart(chart: LineChart): string {
  const width = chart.width ?? 540;
  const series = chart.series.map((entry) => ({ name: entry.name, points: drawablePoints(entry.points) }));
  if (series.every((entry) => entry.points.length === 0)) {
    return renderEmptyChart(
      { id: chart.id, title: chart.title, description: chart.description, width },
      chart.emptyMessage,
    );
  }
  const legend: LegendEntry[] = series.map((entry, index) => ({
    name: entry.name,
    colour: seriesColour(index),
    dash: seriesDash(index),
    swatch: 'line',
  }));
  if (chart.diagonal)
    legend.push({ name: chart.diagonal, colour: REFERENCE_COLOUR, dash: '5 4', swatch: 'line' });
  const plot: PlotArea = {
    left: MARGIN.left,
    top: MARGIN.top,
    width: width - MARGIN.left - MARGIN.right,
    height: PLOT_HEIGHT,
  };
  const height = MARGIN.top + PLOT_HEIGHT + MARGIN.bottom + legend.length * LEGEND_ROW_HEIGHT + 4;
  const allPoints = series.flatMap((entry) => entry.points);
  const xValues = allPoints.map((point) => point.x);
  const xDomain = chart.xDomain ?? (chart.integerX ? integerDomain(xValues) : domainOf(xValues));
  const yDomain = chart.yDomain ?? domainOf(allPoints.map((point) => point.y));
  const x = {
    scale: linearScale(xDomain, [plot.left, plot.left + plot.width]),
    ticks: chart.integerX ? ticks(xDomain).filter(Number.isInteger) : ticks(xDomain),
    label: chart.xLabel,
  };
  const y = {
    scale: linearScale(yDomain, [plot.top + plot.height, plot.top]),
    ticks: ticks(yDomain),
    label: chart.yLabel,
  };

  const parts = [renderGrid(plot, x, y), renderXAxis(plot, x), renderYAxis(plot, y)];
  if (chart.diagonal) {
    const low = Math.max(xDomain[0], yDomain[0]);
    const high = Math.min(xDomain[1], yDomain[1]);
    if (high > low) {
      parts.push(
        `<line class="reference" x1="${c(x.scale.at(low))}" y1="${c(y.scale.at(low))}" x2="${c(x.scale.at(high))}" y2="${c(y.scale.at(high))}"` +
          ` stroke="${REFERENCE_COLOUR}" stroke-dasharray="5 4"/>`,
      );
    }
  }
  series.forEach((entry, index) => {
    if (entry.points.length === 0) return;
    const colour = seriesColour(index);
    const dash = seriesDash(index);
    const path = entry.points
      .map(
        (point, pointIndex) =>
          `${pointIndex === 0 ? 'M' : 'L'}${c(x.scale.at(point.x))} ${c(y.scale.at(point.y))}`,
      )
      .join(' ');
    parts.push(
      `<path class="series" d="${path}" fill="none" stroke="${colour}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`,
    );
    if (chart.markers || entry.points.length === 1) {
      const dots = entry.points.map(
        (point) =>
          `<circle cx="${c(x.scale.at(point.x))}" cy="${c(y.scale.at(point.y))}" r="3.5" fill="${colour}"/>`,
      );
      parts.push(`<g class="markers">${dots.join('')}</g>`);
    }
  });
  parts.push(renderLegend(legend, plot.left, MARGIN.top + PLOT_HEIGHT + MARGIN.bottom + 6));
  return renderChartFrame(
    { id: chart.id, title: chart.title, description: chart.description, width, height },
    parts.join(''),
  );
}
