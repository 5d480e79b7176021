/** A legend: one row per series, a swatch (line or box) and its name. */

import { labelText } from './axes.js';
import { coordinate as c } from './scale.js';

export interface LegendEntry {
  readonly name: string;
  readonly colour: string;
  readonly dash?: string | null;
  /** line: a stroke sample (line charts); box: a filled square (bar charts). */
  readonly swatch: 'line' | 'box';
}

export const LEGEND_ROW_HEIGHT = 18;

/** Rows from (x, y) downwards; about LEGEND_ROW_HEIGHT per entry. */
export function renderLegend(entries: readonly LegendEntry[], x: number, y: number, maxChars = 70): string {
  const rows = entries.map((entry, index) => {
    const rowY = y + index * LEGEND_ROW_HEIGHT;
    const swatch =
      entry.swatch === 'line'
        ? `<line x1="${c(x)}" y1="${c(rowY)}" x2="${c(x + 22)}" y2="${c(rowY)}" stroke="${entry.colour}" stroke-width="2.5"${entry.dash ? ` stroke-dasharray="${entry.dash}"` : ''}/>`
        : `<rect x="${c(x + 5)}" y="${c(rowY - 6)}" width="12" height="12" fill="${entry.colour}"/>`;
    return (
      swatch + labelText(entry.name, maxChars, `class="legend-label" x="${c(x + 30)}" y="${c(rowY + 4)}"`)
    );
  });
  return `<g class="legend">${rows.join('')}</g>`;
}
