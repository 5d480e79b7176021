import { describe, expect, it } from 'vitest';
import { Counter, Gauge, Histogram, renderExposition } from '../../serving/prometheus.js';
import { stickyFraction } from '../../serving/routing-table.js';

describe('Prometheus exposition', () => {
  it('renders counters, gauges and cumulative histogram buckets with escaped label values', () => {
    const requests = new Counter('requests_total', 'Requests.', ['route', 'model']);
    requests.inc(['predict', 'a"b\\c\nd']);
    requests.inc(['predict', 'a"b\\c\nd'], 2);
    const inFlight = new Gauge('in_flight', 'In flight.', []);
    inFlight.set([], 3);
    const latency = new Histogram('latency_seconds', 'Latency.', ['route'], [0.001, 0.01]);
    for (const value of [0.0005, 0.005, 0.005, 2]) latency.observe(['predict'], value);

    expect(renderExposition([requests, inFlight, latency]).split('\n')).toEqual([
      '# HELP requests_total Requests.',
      '# TYPE requests_total counter',
      'requests_total{route="predict",model="a\\"b\\\\c\\nd"} 3',
      '# HELP in_flight In flight.',
      '# TYPE in_flight gauge',
      'in_flight 3',
      '# HELP latency_seconds Latency.',
      '# TYPE latency_seconds histogram',
      'latency_seconds_bucket{route="predict",le="0.001"} 1',
      'latency_seconds_bucket{route="predict",le="0.01"} 3',
      'latency_seconds_bucket{route="predict",le="+Inf"} 4',
      'latency_seconds_sum{route="predict"} 2.0105',
      'latency_seconds_count{route="predict"} 4',
      '',
    ]);
  });
});

describe('sticky canary routing', () => {
  it('maps a request key to the same fraction every time, spread evenly over [0, 1)', () => {
    expect(stickyFraction('model', 'user-1')).toBe(stickyFraction('model', 'user-1'));
    expect(stickyFraction('model', 'user-1')).not.toBe(stickyFraction('other-model', 'user-1'));
    const fractions = Array.from({ length: 10_000 }, (_, index) => stickyFraction('model', `user-${index}`));
    const deciles = new Array(10).fill(0);
    for (const fraction of fractions) deciles[Math.floor(fraction * 10)] += 1;
    // Each decile expects 1000 keys (binomial standard deviation 30).
    for (const count of deciles) expect(Math.abs(count - 1000)).toBeLessThan(150);
  });
});
