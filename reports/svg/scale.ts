/**
 * Linear scales and tick values for the report's charts. Domains are built from finite values
 * only and never collapse to a point, so no NaN or Infinity reaches a coordinate whatever the
 * data (empty, one point, all values equal).
 */

export interface LinearScale {
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
  /** Pixel position of a domain value. */
  readonly at: (value: number) => number;
}

export function linearScale(
  domain: readonly [number, number],
  range: readonly [number, number],
): LinearScale {
  const [domainStart, domainEnd] = domain;
  const span = domainEnd - domainStart;
  const [rangeStart, rangeEnd] = range;
  return {
    domain,
    range,
    at: (value) =>
      span === 0 ? rangeStart : rangeStart + ((value - domainStart) / span) * (rangeEnd - rangeStart),
  };
}

/** A coordinate for SVG markup: two decimals at most; a non-finite value (a bug upstream) becomes 0. */
export function coordinate(value: number): string {
  if (!Number.isFinite(value)) return '0';
  const rounded = Math.round(value * 100) / 100;
  return String(Object.is(rounded, -0) ? 0 : rounded);
}

/** The step of about `count` ticks over a span: 1, 2 or 5 times a power of ten. */
function tickStep(span: number, count: number): number {
  const rough = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(rough));
  const error = rough / power;
  // d3's thresholds: pick the round step nearest (geometrically) to the rough one.
  const multiple = error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.sqrt(2) ? 2 : 1;
  return multiple * power;
}

/** Evenly spaced round values covering the domain (about `count` of them). */
export function ticks(domain: readonly [number, number], count = 5): number[] {
  const [start, end] = domain;
  if (!(end > start)) return [start];
  const step = tickStep(end - start, count);
  const first = Math.ceil(start / step - 1e-9);
  const last = Math.floor(end / step + 1e-9);
  const values: number[] = [];
  // Multiplying the index avoids the drift of repeated addition (0.30000000000000004).
  for (let index = first; index <= last; index += 1) values.push(Number((index * step).toPrecision(12)));
  return values;
}

export interface DomainOptions {
  /** Stretch the domain to include 0 (bar charts). */
  readonly includeZero?: boolean;
  /** Used when no value is finite. */
  readonly fallback?: readonly [number, number];
}

/** The [min, max] of the finite values, widened when they are all equal, rounded out to ticks. */
export function domainOf(values: Iterable<unknown>, options: DomainOptions = {}): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  if (min > max) [min, max] = options.fallback ?? [0, 1];
  if (options.includeZero) {
    min = Math.min(min, 0);
    max = Math.max(max, 0);
  }
  // With includeZero the ends can only meet at 0 (all values 0).
  if (min === max && min === 0) [min, max] = options.includeZero ? [0, 1] : [-1, 1];
  else if (min === max) [min, max] = [min - Math.abs(min) * 0.1, max + Math.abs(max) * 0.1];
  const step = tickStep(max - min, 5);
  const roundOut = (value: number) => Number(value.toPrecision(12));
  return [roundOut(Math.floor(min / step + 1e-9) * step), roundOut(Math.ceil(max / step - 1e-9) * step)];
}

/** Tick label text: as many decimals as the tick step needs. */
export function tickFormatter(tickValues: readonly number[]): (value: number) => string {
  const step = tickValues.length > 1 ? Math.abs(tickValues[1] - tickValues[0]) : 1;
  const decimals = step >= 1 || step === 0 ? 0 : Math.min(6, Math.ceil(-Math.log10(step) - 1e-9));
  return (value) => {
    const magnitude = Math.abs(value);
    if (magnitude >= 1e6 || (magnitude > 0 && magnitude < 1e-4)) return value.toExponential(1);
    const text = value.toFixed(decimals);
    return text === '-0' || /^-0\.0*$/.test(text) ? text.slice(1) : text;
  };
}
