/**
 * The frame every chart shares: an <svg> with a viewBox (it scales with the page), an accessible
 * <title> and <desc> referenced by aria-labelledby, and a visible title. Element ids come from the
 * caller's chart id, never from user data.
 */

import { escapeHtml } from '../escape.js';
import { coordinate } from './scale.js';

export interface ChartFrame {
  /** Unique in the document; letters, digits and dashes (see `chartId`). */
  readonly id: string;
  readonly title: string;
  /** Screen-reader summary of what the chart shows. */
  readonly description: string;
  readonly width: number;
  readonly height: number;
}

export const TITLE_HEIGHT = 28;

/** A document-unique element id from a section name and indices. */
export function chartId(...parts: (string | number)[]): string {
  return parts.map((part) => String(part).replace(/[^A-Za-z0-9-]/g, '-')).join('-');
}

export function renderChartFrame(frame: ChartFrame, body: string): string {
  const titleId = `${frame.id}-title`;
  const descriptionId = `${frame.id}-desc`;
  const width = coordinate(frame.width);
  const height = coordinate(frame.height);
  return (
    `<figure class="chart" id="${frame.id}">` +
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}"` +
    ` role="img" aria-labelledby="${titleId} ${descriptionId}">` +
    `<title id="${titleId}">${escapeHtml(frame.title)}</title>` +
    `<desc id="${descriptionId}">${escapeHtml(frame.description)}</desc>` +
    `<rect class="chart-background" x="0" y="0" width="${width}" height="${height}"/>` +
    `<text class="chart-title" x="${coordinate(frame.width / 2)}" y="20" text-anchor="middle">${escapeHtml(frame.title)}</text>` +
    body +
    `</svg></figure>`
  );
}

/** The chart's frame with a message where the plot would be: no data, or none that can be drawn. */
export function renderEmptyChart(
  frame: Omit<ChartFrame, 'height'> & { height?: number },
  message: string,
): string {
  const height = frame.height ?? 120;
  const body =
    `<text class="chart-empty" x="${coordinate(frame.width / 2)}" y="${coordinate(TITLE_HEIGHT + (height - TITLE_HEIGHT) / 2)}"` +
    ` text-anchor="middle">${escapeHtml(message)}</text>`;
  return renderChartFrame({ ...frame, height, description: `${frame.description} ${message}` }, body);
}
