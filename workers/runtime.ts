import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../config/logger.js';

let installed = false;

/**
 * Routes the Temporal SDK's own logs into our structured logger, its native core's included, and
 * leaves signals to us, so a SIGTERM drains the workers first and then closes the database and the
 * embedded stack in order. Unforwarded, the core prints its warnings to stdout itself, where one
 * ("Activity not found on completion", after a retrain's workflow ended) landed in the middle of
 * `mlops demo --json`'s document. With `metricsAddress`, the core serves Prometheus metrics there:
 * the SDK's own and what activities and workflows record through their `metricMeter`. Must run
 * before the first connection is made; later calls do nothing.
 */
export function installTemporalRuntime(log: Logger, options: { metricsAddress?: string } = {}): void {
  if (installed) return;
  installed = true;
  const sdkLog = log.child({ component: 'temporal-sdk' });
  Runtime.install({
    shutdownSignals: [],
    telemetryOptions: {
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      ...(options.metricsAddress ? { metrics: prometheusMetrics(options.metricsAddress) } : {}),
    },
    logger: new DefaultLogger('WARN', (entry) => {
      // The GPU pool runs activities only, by design; the SDK warns about that on every start.
      const expected = entry.message.startsWith('No workflows registered');
      const level = expected ? 'debug' : (entry.level.toLowerCase() as Lowercase<LogLevel>);
      sdkLog[level === 'trace' ? 'trace' : level]({ ...entry.meta }, entry.message);
    }),
  });
}

/**
 * The core's Prometheus exporter, named the way Prometheus expects: counters end in `_total`,
 * histograms carry their unit, durations are in seconds
 * (`temporal_workflow_task_schedule_to_start_latency_seconds`).
 */
function prometheusMetrics(bindAddress: string) {
  return {
    prometheus: { bindAddress, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true },
  };
}
