import type { MetricMeter, MetricTags } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { recordMonitorGauges } from '../../activities/loop/monitor-gauges.js';
import type { DriftWindowOutput } from '../../contracts/loop-stages.js';

/** A meter that keeps the last value each gauge was set to, per tag set. */
function recordingMeter() {
  const values = new Map<string, number>();
  const gauge = (name: string) => ({
    set: (value: number, tags: MetricTags = {}) => void values.set(`${name}${JSON.stringify(tags)}`, value),
  });
  return { values, meter: { createGauge: gauge } as unknown as MetricMeter };
}

const window: DriftWindowOutput = {
  modelVersion: 2,
  rows: 500,
  drifted: true,
  driftedFeatures: ['Body Mass (g)'],
  maxPsi: 0.31,
  labeled: 120,
  liveMetric: { name: 'accuracy', value: 0.84, testValue: 0.97, lowerIsBetter: false },
  reportId: 7,
  note: null,
};

describe('monitor gauges', () => {
  it("sets the model's drift, live and test metric and canary share from a window", () => {
    const { values, meter } = recordingMeter();
    recordMonitorGauges(meter, 'penguins', window, { champion: 2, challenger: 3, share: 0.3 });
    expect(Object.fromEntries(values)).toEqual({
      'mlops_monitor_canary_share{"model":"penguins"}': 0.3,
      'mlops_monitor_drift_max_psi{"model":"penguins"}': 0.31,
      'mlops_monitor_drifted{"model":"penguins"}': 1,
      'mlops_monitor_live_metric{"model":"penguins","metric":"accuracy"}': 0.84,
      'mlops_monitor_test_metric{"model":"penguins","metric":"accuracy"}': 0.97,
    });
  });

  it('reports no canary as share 0 and leaves drift as it was for a window without predictions', () => {
    const { values, meter } = recordingMeter();
    recordMonitorGauges(
      meter,
      'penguins',
      { ...window, rows: 0, maxPsi: null, liveMetric: null },
      { champion: 2, challenger: null, share: 0.5 },
    );
    expect(Object.fromEntries(values)).toEqual({ 'mlops_monitor_canary_share{"model":"penguins"}': 0 });
  });
});
