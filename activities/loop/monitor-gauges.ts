import { Context } from '@temporalio/activity';
import type { MetricMeter } from '@temporalio/common';
import type { DriftWindowInput, DriftWindowOutput } from '../../contracts/loop-stages.js';
import { servedVersions, type ServedVersions } from '../../db/queries/deployments.js';
import type { ActivityDependencies } from '../dependencies.js';

/**
 * The gauges people alert on, per model, set from every monitoring window on the worker's
 * Prometheus endpoint (MLOPS_WORKER_METRICS_ADDRESS), besides the SDK's tags:
 * `mlops_monitor_drift_max_psi`, `mlops_monitor_drifted` (1 or 0), `mlops_monitor_live_metric`
 * and `mlops_monitor_test_metric` (by `metric`), and `mlops_monitor_canary_share` (the
 * challenger's share of traffic, 0 without one). A window without a value leaves its gauge as it was.
 */
export function recordMonitorGauges(
  meter: MetricMeter,
  modelName: string,
  window: DriftWindowOutput,
  serving: ServedVersions,
): void {
  const tags = { model: modelName };
  const gauge = (name: string, description: string) => meter.createGauge(name, 'float', '', description);
  gauge('mlops_monitor_canary_share', "The challenger's share of the model's traffic (0 without one).").set(
    serving.challenger === null ? 0 : serving.share,
    tags,
  );
  if (window.rows === 0) return;
  if (window.maxPsi !== null)
    gauge('mlops_monitor_drift_max_psi', 'Largest population stability index of the last window.').set(
      window.maxPsi,
      tags,
    );
  gauge('mlops_monitor_drifted', '1 when the last window drifted, else 0.').set(window.drifted ? 1 : 0, tags);
  const live = window.liveMetric;
  if (live?.value != null)
    gauge('mlops_monitor_live_metric', "The primary metric on the last window's labeled predictions.").set(
      live.value,
      { ...tags, metric: live.name },
    );
  if (live?.testValue != null)
    gauge('mlops_monitor_test_metric', "The served champion's test value of its primary metric.").set(
      live.testValue,
      { ...tags, metric: live.name },
    );
}

/** `computeDriftWindow` that sets the model's gauges from each window it computes. */
export function withMonitorGauges(
  deps: ActivityDependencies,
  computeDriftWindow: (input: DriftWindowInput) => Promise<DriftWindowOutput>,
): (input: DriftWindowInput) => Promise<DriftWindowOutput> {
  return async (input) => {
    const window = await computeDriftWindow(input);
    recordMonitorGauges(
      Context.current().metricMeter,
      input.modelName,
      window,
      await servedVersions(deps.db, input.modelName),
    );
    return window;
  };
}
