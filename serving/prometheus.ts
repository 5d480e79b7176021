/**
 * Just enough of the Prometheus text exposition format (version 0.0.4) for the server's own
 * metrics: counters, gauges and histograms with labels. Hand-written because it is small and the
 * request path must stay cheap: one map lookup per update, no allocation once a series exists.
 */

type LabelValues = readonly string[];

interface Series {
  readonly labels: LabelValues;
  value: number;
}

abstract class Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}

  abstract readonly type: 'counter' | 'gauge' | 'histogram';

  /** The metric's `# HELP`, `# TYPE` and sample lines. */
  render(): string[] {
    return [
      `# HELP ${this.name} ${escapeHelp(this.help)}`,
      `# TYPE ${this.name} ${this.type}`,
      ...this.samples(),
    ];
  }

  protected abstract samples(): string[];

  protected labelText(values: LabelValues, extra = ''): string {
    const pairs = this.labelNames.map((name, index) => `${name}="${escapeLabelValue(values[index] ?? '')}"`);
    if (extra) pairs.push(extra);
    return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
  }
}

/** Labelled values kept by the joined label values (NUL cannot appear in a label we write). */
abstract class ScalarMetric extends Metric {
  protected readonly series = new Map<string, Series>();

  protected seriesFor(values: LabelValues): Series {
    const key = values.join('\u0000');
    let found = this.series.get(key);
    if (!found) {
      found = { labels: [...values], value: 0 };
      this.series.set(key, found);
    }
    return found;
  }

  /** The current value of one series (0 when it was never touched). */
  get(...values: string[]): number {
    return this.series.get(values.join('\u0000'))?.value ?? 0;
  }

  protected samples(): string[] {
    if (this.series.size === 0 && this.labelNames.length === 0) return [`${this.name} 0`];
    return [...this.series.values()].map(
      (series) => `${this.name}${this.labelText(series.labels)} ${formatNumber(series.value)}`,
    );
  }
}

export class Counter extends ScalarMetric {
  readonly type = 'counter';

  inc(values: LabelValues, amount = 1): void {
    this.seriesFor(values).value += amount;
  }
}

export class Gauge extends ScalarMetric {
  readonly type = 'gauge';

  set(values: LabelValues, value: number): void {
    this.seriesFor(values).value = value;
  }

  inc(values: LabelValues, amount = 1): void {
    this.seriesFor(values).value += amount;
  }

  /** Drops every series (for gauges rebuilt from a snapshot, such as the models loaded now). */
  reset(): void {
    this.series.clear();
  }
}

interface HistogramSeries {
  readonly labels: LabelValues;
  readonly buckets: Float64Array;
  sum: number;
  count: number;
}

export class Histogram extends Metric {
  readonly type = 'histogram';
  private readonly series = new Map<string, HistogramSeries>();

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    /** Upper bounds, ascending; `+Inf` is implied. */
    readonly bounds: readonly number[],
  ) {
    super(name, help, labelNames);
  }

  observe(values: LabelValues, value: number): void {
    const key = values.join('\u0000');
    let series = this.series.get(key);
    if (!series) {
      series = { labels: [...values], buckets: new Float64Array(this.bounds.length), sum: 0, count: 0 };
      this.series.set(key, series);
    }
    // Buckets hold their own count here and are made cumulative when rendered.
    const index = this.bounds.findIndex((bound) => value <= bound);
    if (index >= 0) series.buckets[index] += 1;
    series.sum += value;
    series.count += 1;
  }

  protected samples(): string[] {
    const lines: string[] = [];
    for (const series of this.series.values()) {
      let cumulative = 0;
      this.bounds.forEach((bound, index) => {
        cumulative += series.buckets[index];
        lines.push(
          `${this.name}_bucket${this.labelText(series.labels, `le="${formatNumber(bound)}"`)} ${cumulative}`,
        );
      });
      lines.push(`${this.name}_bucket${this.labelText(series.labels, 'le="+Inf"')} ${series.count}`);
      lines.push(`${this.name}_sum${this.labelText(series.labels)} ${formatNumber(series.sum)}`);
      lines.push(`${this.name}_count${this.labelText(series.labels)} ${series.count}`);
    }
    return lines;
  }
}

/** The exposition of `metrics`, in order, ending with a newline as scrapers expect. */
export function renderExposition(metrics: readonly Metric[]): string {
  return `${metrics.flatMap((metric) => metric.render()).join('\n')}\n`;
}

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

export type { Metric };
