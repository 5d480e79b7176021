/**
 * Heatmap with counts (confusion matrix): rows and columns are categories, each cell coloured by
 * its share of the largest cell and labelled with its value, in white on dark cells.
 */

import { escapeHtml } from '../escape.js';
import { formatCount, isFiniteNumber } from '../format.js';
import { type PlotArea, renderCategoryAxis } from './axes.js';
import { renderChartFrame, renderEmptyChart, TITLE_HEIGHT } from './frame.js';
import { heatColour } from './palette.js';
import { coordinate as c } from './scale.js';

export interface Heatmap {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly rowLabels: readonly string[];
  readonly columnLabels: readonly string[];
  /** values[row][column]; missing or non-finite cells show "–". */
  readonly values: readonly (readonly (number | null)[])[];
  readonly rowAxisLabel: string;
  readonly columnAxisLabel: string;
  readonly emptyMessage: string;
}

const LABEL_WIDTH = 120;
const MAX_GRID = 480;

export function renderHeatmap(chart: Heatmap): string {
  const rowCount = chart.rowLabels.length;
  const columnCount = chart.columnLabels.length;
  if (rowCount === 0 || columnCount === 0) {
    return renderEmptyChart(
      { id: chart.id, title: chart.title, description: chart.description, width: 560 },
      chart.emptyMessage,
    );
  }
  const cell = Math.max(18, Math.min(96, Math.floor(MAX_GRID / Math.max(rowCount, columnCount))));
  const plot: PlotArea = {
    left: LABEL_WIDTH + 30,
    top: TITLE_HEIGHT + 10,
    width: cell * columnCount,
    height: cell * rowCount,
  };
  const width = Math.max(360, plot.left + plot.width + 24);
  const height = plot.top + plot.height + 52;
  const finiteValues = chart.values.flat().filter(isFiniteNumber);
  const largest = finiteValues.length === 0 ? 0 : Math.max(...finiteValues);
  const fontSize = Math.max(8, Math.min(14, cell / 3.2));

  const cells: string[] = [];
  for (let row = 0; row < rowCount; row += 1) {
    for (let column = 0; column < columnCount; column += 1) {
      const value = chart.values[row]?.[column] ?? null;
      const intensity = isFiniteNumber(value) && largest > 0 ? value / largest : 0;
      const x = plot.left + column * cell;
      const y = plot.top + row * cell;
      const tooltip =
        `<title>${escapeHtml(chart.rowAxisLabel)} ${escapeHtml(chart.rowLabels[row])}, ` +
        `${escapeHtml(chart.columnAxisLabel)} ${escapeHtml(chart.columnLabels[column])}: ${formatCount(value)}</title>`;
      cells.push(
        `<rect class="cell" x="${c(x)}" y="${c(y)}" width="${c(cell)}" height="${c(cell)}" fill="${heatColour(intensity)}" stroke="#ffffff">${tooltip}</rect>` +
          `<text class="cell-value ${intensity > 0.55 ? 'on-dark' : 'on-light'}" x="${c(x + cell / 2)}" y="${c(y + cell / 2 + fontSize / 3)}"` +
          ` text-anchor="middle" font-size="${c(fontSize)}">${formatCount(value)}</text>`,
      );
    }
  }
  const columns = chart.columnLabels.map((label, index) => ({
    label,
    position: plot.left + (index + 0.5) * cell,
  }));
  const rows = chart.rowLabels.map((label, index) => ({ label, position: plot.top + (index + 0.5) * cell }));
  const body =
    `<g class="cells">${cells.join('')}</g>` +
    renderCategoryAxis(plot, 'bottom', columns, chart.columnAxisLabel, Math.max(3, Math.floor(cell / 6.5))) +
    renderCategoryAxis(plot, 'left', rows, chart.rowAxisLabel, 17, LABEL_WIDTH + 14);
  return renderChartFrame(
    { id: chart.id, title: chart.title, description: chart.description, width, height },
    body,
  );
}
