/** Plain-text formatting for people reading the CLI's output (the JSON output keeps raw numbers). */

/** `340 ms`, `12.3 s`, `4m 05s`, `2h 03m`; `-` when unknown. */
export function formatDuration(milliseconds: number | null | undefined): string {
  if (milliseconds === null || milliseconds === undefined || !Number.isFinite(milliseconds)) return '-';
  if (milliseconds < 1000) return `${Math.round(milliseconds)} ms`;
  const seconds = milliseconds / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const wholeSeconds = Math.round(seconds);
  if (wholeSeconds < 3600) {
    return `${Math.floor(wholeSeconds / 60)}m ${String(wholeSeconds % 60).padStart(2, '0')}s`;
  }
  const minutes = Math.round(wholeSeconds / 60);
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** `512 B`, `12.3 KiB`, `1.5 GiB`; `-` when unknown. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** `0.42 J`, `96.0 J`, `12.5 kJ`, `3.1 MJ`; `-` when unknown. */
export function formatEnergy(joules: number | null | undefined): string {
  if (joules === null || joules === undefined || !Number.isFinite(joules)) return '-';
  if (joules < 10) return `${joules.toFixed(2)} J`;
  if (joules < 1000) return `${joules.toFixed(1)} J`;
  if (joules < 1_000_000) return `${(joules / 1000).toFixed(1)} kJ`;
  return `${(joules / 1_000_000).toFixed(1)} MJ`;
}

/** `2024-05-01 12:03:44Z` (UTC, to the second); `-` when unknown. */
export function formatTimestamp(time: Date | string | null | undefined): string {
  if (time === null || time === undefined) return '-';
  const date = typeof time === 'string' ? new Date(time) : time;
  if (Number.isNaN(date.getTime())) return '-';
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** A metric's value to four decimals, `n/a` for null or anything that is not a number. */
export function formatMetric(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(4) : 'n/a';
}

/** `l2=0.001 trainer=logistic_regression`: flat key=value pairs, objects as JSON, in key order. */
export function formatParams(params: Readonly<Record<string, unknown>>): string {
  const entries = Object.entries(params).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return '(none)';
  return entries
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
}

/** The first 12 hex digits of a sha256: enough to tell artifacts apart at a glance. */
export function shortHash(sha256: string): string {
  return sha256.slice(0, 12);
}

let wideTables = false;

/** `--wide`: tables keep every character even when wider than the terminal. */
export function setWideTables(wide: boolean): void {
  wideTables = wide;
}

/** The terminal's width when stdout is one and `--wide` was not given; else no limit. */
export function outputWidth(): number | undefined {
  return !wideTables && process.stdout.isTTY ? process.stdout.columns : undefined;
}

// A column is never cut narrower than this (or its header, when shorter), whatever the terminal.
const MIN_COLUMN = 8;

/**
 * Left-aligned columns separated by two spaces, a header row first; no trailing spaces. Wider than
 * `maxWidth` (the terminal's, by default), the widest columns are cut first, each cut cell ending
 * in `…`; `--wide` shows everything.
 */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  maxWidth: number | undefined = outputWidth(),
): string[] {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  if (maxWidth !== undefined) fitWidths(widths, headers, maxWidth);
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => truncate(cell ?? '', widths[column]).padEnd(widths[column]))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

/** Narrows the widest column, one character at a time, until the table fits or nothing can give. */
function fitWidths(widths: number[], headers: readonly string[], maxWidth: number): void {
  const floors = widths.map((width, column) => Math.min(width, Math.max(MIN_COLUMN, headers[column].length)));
  let excess = widths.reduce((sum, width) => sum + width, 0) + 2 * (widths.length - 1) - maxWidth;
  while (excess > 0) {
    let widest = -1;
    for (let column = 0; column < widths.length; column += 1)
      if (widths[column] > floors[column] && (widest === -1 || widths[column] > widths[widest]))
        widest = column;
    if (widest === -1) return;
    widths[widest] -= 1;
    excess -= 1;
  }
}

/** Lines indented by `prefix`, for nesting a block under a heading. */
export function indent(lines: readonly string[], prefix = '  '): string[] {
  return lines.map((text) => (text.length ? `${prefix}${text}` : text));
}

/**
 * A change between two small JSON documents, compactly: `champion 1 -> 2, share 0 -> 0.1` for the
 * fields that differ; a document that appears or goes as `- -> name=ci scopes=predict`.
 */
export function formatChange(before: unknown, after: unknown): string {
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    const changed = keys.filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]));
    if (changed.length === 0) return '(no change)';
    return changed
      .map((key) => `${key} ${formatValue(before[key])} -> ${formatValue(after[key])}`)
      .join(', ');
  }
  return `${formatDocument(before)} -> ${formatDocument(after)}`;
}

/** `text` cut to `width` characters, the cut marked with `…`. */
export function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function formatDocument(value: unknown): string {
  if (!isRecord(value)) return formatValue(value);
  const entries = Object.entries(value).filter(([, field]) => field !== null && field !== undefined);
  return entries.length === 0
    ? '{}'
    : entries.map(([key, field]) => `${key}=${formatValue(field)}`).join(' ');
}

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((item) => typeof item !== 'object')) return value.join(',');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
