/** Axes, ticks, grid lines and axis labels around a chart's plot area. */

import { escapeHtml, truncateLabel } from '../escape.js';
import { AXIS_COLOUR, GRID_COLOUR } from './palette.js';
import { coordinate as c, type LinearScale, tickFormatter } from './scale.js';

/** The rectangle the data is drawn in, in SVG user units. */
export interface PlotArea {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

export interface NumericAxis {
  readonly scale: LinearScale;
  readonly ticks: readonly number[];
  readonly label: string;
}

export interface CategoryTick {
  readonly label: string;
  /** Pixel position of the category's centre along the axis. */
  readonly position: number;
}

const TICK_LENGTH = 5;

function line(x1: number, y1: number, x2: number, y2: number, stroke: string, extra = ''): string {
  return `<line x1="${c(x1)}" y1="${c(y1)}" x2="${c(x2)}" y2="${c(y2)}" stroke="${stroke}"${extra}/>`;
}

/** A text label, cut to `maxChars` with the whole text as its tooltip. */
export function labelText(text: string, maxChars: number, attributes: string): string {
  const shown = truncateLabel(text, maxChars);
  const tooltip = shown === text ? '' : `<title>${escapeHtml(text)}</title>`;
  return `<text ${attributes}>${tooltip}${escapeHtml(shown)}</text>`;
}

/** The axis title centred under the plot. */
function bottomAxisTitle(plot: PlotArea, label: string): string {
  return `<text class="axis-label" x="${c(plot.left + plot.width / 2)}" y="${c(plot.top + plot.height + 36)}" text-anchor="middle">${escapeHtml(label)}</text>`;
}

/** The axis title left of the plot, `offset` units from it, reading upwards. */
function leftAxisTitle(plot: PlotArea, label: string, offset: number): string {
  const x = c(plot.left - offset);
  const y = c(plot.top + plot.height / 2);
  return `<text class="axis-label" x="${x}" y="${y}" text-anchor="middle" transform="rotate(-90 ${x} ${y})">${escapeHtml(label)}</text>`;
}

function inDomain(scale: LinearScale, value: number): boolean {
  const [low, high] = scale.domain;
  return value >= Math.min(low, high) - 1e-9 && value <= Math.max(low, high) + 1e-9;
}

export function renderGrid(plot: PlotArea, x: NumericAxis | null, y: NumericAxis | null): string {
  const vertical = (x?.ticks ?? [])
    .filter((tick) => inDomain(x!.scale, tick))
    .map((tick) => line(x!.scale.at(tick), plot.top, x!.scale.at(tick), plot.top + plot.height, GRID_COLOUR));
  const horizontal = (y?.ticks ?? [])
    .filter((tick) => inDomain(y!.scale, tick))
    .map((tick) =>
      line(plot.left, y!.scale.at(tick), plot.left + plot.width, y!.scale.at(tick), GRID_COLOUR),
    );
  return `<g class="grid">${[...vertical, ...horizontal].join('')}</g>`;
}

export function renderXAxis(plot: PlotArea, axis: NumericAxis): string {
  const bottom = plot.top + plot.height;
  const format = tickFormatter(axis.ticks);
  const marks = axis.ticks
    .filter((tick) => inDomain(axis.scale, tick))
    .map((tick) => {
      const x = axis.scale.at(tick);
      return (
        line(x, bottom, x, bottom + TICK_LENGTH, AXIS_COLOUR) +
        `<text class="tick-label" x="${c(x)}" y="${c(bottom + TICK_LENGTH + 12)}" text-anchor="middle">${format(tick)}</text>`
      );
    });
  return (
    `<g class="axis axis-x">${line(plot.left, bottom, plot.left + plot.width, bottom, AXIS_COLOUR)}${marks.join('')}` +
    `${bottomAxisTitle(plot, axis.label)}</g>`
  );
}

export function renderYAxis(plot: PlotArea, axis: NumericAxis): string {
  const format = tickFormatter(axis.ticks);
  const marks = axis.ticks
    .filter((tick) => inDomain(axis.scale, tick))
    .map((tick) => {
      const y = axis.scale.at(tick);
      return (
        line(plot.left - TICK_LENGTH, y, plot.left, y, AXIS_COLOUR) +
        `<text class="tick-label" x="${c(plot.left - TICK_LENGTH - 3)}" y="${c(y + 4)}" text-anchor="end">${format(tick)}</text>`
      );
    });
  return (
    `<g class="axis axis-y">${line(plot.left, plot.top, plot.left, plot.top + plot.height, AXIS_COLOUR)}${marks.join('')}` +
    `${leftAxisTitle(plot, axis.label, 48)}</g>`
  );
}

/** Category names under the plot (x) or left of it (y), each cut to `maxChars`. */
export function renderCategoryAxis(
  plot: PlotArea,
  side: 'bottom' | 'left',
  categories: readonly CategoryTick[],
  axisLabel: string,
  maxChars: number,
  labelOffset = 48,
): string {
  const bottom = plot.top + plot.height;
  const axisLine =
    side === 'bottom'
      ? line(plot.left, bottom, plot.left + plot.width, bottom, AXIS_COLOUR)
      : line(plot.left, plot.top, plot.left, bottom, AXIS_COLOUR);
  const marks = categories.map(({ label, position }) =>
    side === 'bottom'
      ? line(position, bottom, position, bottom + TICK_LENGTH, AXIS_COLOUR) +
        labelText(
          label,
          maxChars,
          `class="tick-label" x="${c(position)}" y="${c(bottom + TICK_LENGTH + 12)}" text-anchor="middle"`,
        )
      : line(plot.left - TICK_LENGTH, position, plot.left, position, AXIS_COLOUR) +
        labelText(
          label,
          maxChars,
          `class="tick-label" x="${c(plot.left - TICK_LENGTH - 3)}" y="${c(position + 4)}" text-anchor="end"`,
        ),
  );
  const title =
    side === 'bottom' ? bottomAxisTitle(plot, axisLabel) : leftAxisTitle(plot, axisLabel, labelOffset);
  return `<g class="axis axis-${side === 'bottom' ? 'x' : 'y'}">${axisLine}${marks.join('')}${title}</g>`;
}
