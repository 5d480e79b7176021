/**
 * Number and value formatting for the report's text. Every function accepts anything a JSON
 * round trip can leave (null for NaN and ±Infinity, undefined for a missing field) and shows a
 * value that is not a finite number as MISSING, never as "NaN" or "Infinity".
 */

import { escapeHtml } from './escape.js';

export const MISSING = '–';

export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Digits grouped by thin spaces, fixed locale-free so reports are byte-identical everywhere. */
function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, '\u202F');
}

/** A metric or rate: `digits` decimals (default 4). */
export function formatNumber(value: unknown, digits = 4): string {
  if (!isFiniteNumber(value)) return MISSING;
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude >= 1e9 || magnitude < 10 ** -digits)) return value.toExponential(2);
  const [integer, fraction] = value.toFixed(digits).split('.');
  const sign = integer.startsWith('-') ? '-' : '';
  const grouped = groupThousands(integer.replace('-', ''));
  return fraction === undefined ? `${sign}${grouped}` : `${sign}${grouped}.${fraction}`;
}

/** A count of rows or groups. */
export function formatCount(value: unknown): string {
  if (!isFiniteNumber(value)) return MISSING;
  return Number.isInteger(value)
    ? (value < 0 ? '-' : '') + groupThousands(String(Math.abs(value)))
    : formatNumber(value, 2);
}

/** Milliseconds as "850 ms", "12.3 s" or "4 min 05 s". */
export function formatDuration(milliseconds: unknown): string {
  if (!isFiniteNumber(milliseconds) || milliseconds < 0) return MISSING;
  if (milliseconds < 1000) return `${Math.round(milliseconds)} ms`;
  const seconds = milliseconds / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const wholeSeconds = Math.round(seconds);
  const minutes = Math.floor(wholeSeconds / 60);
  if (minutes < 60) return `${minutes} min ${String(wholeSeconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** CPU time in milliseconds shown as seconds. */
export function formatCpuSeconds(milliseconds: unknown): string {
  return isFiniteNumber(milliseconds) && milliseconds >= 0
    ? `${formatNumber(milliseconds / 1000, 2)} s`
    : MISSING;
}

export function formatBytes(bytes: unknown): string {
  if (!isFiniteNumber(bytes) || bytes < 0) return MISSING;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let scaled = bytes;
  let unit = 0;
  while (scaled >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? scaled : scaled.toFixed(1)} ${units[unit]}`;
}

/** Joules, with watt-hours (1 Wh = 3600 J) next to them. */
export function formatEnergy(joules: unknown): string {
  if (!isFiniteNumber(joules) || joules < 0) return MISSING;
  return `${formatNumber(joules, 1)} J (${formatNumber(joules / 3600, 4)} Wh)`;
}

/** An ISO timestamp as "2025-01-31 14:05:09 UTC"; anything unparseable is shown as given. */
export function formatTimestamp(value: unknown): string {
  if (typeof value !== 'string' || value === '') return MISSING;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A hyperparameter value, already HTML-escaped: numbers exactly as given, strings verbatim. */
export function formatParamValueHtml(value: unknown): string {
  if (value === null || value === undefined) return MISSING;
  if (typeof value === 'number') return isFiniteNumber(value) ? String(value) : MISSING;
  if (typeof value === 'string' || typeof value === 'boolean') return escapeHtml(value);
  return escapeHtml(JSON.stringify(value));
}
