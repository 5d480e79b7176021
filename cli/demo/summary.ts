import { binaryRocCurve } from '../../ml/metrics/index.js';
import type { LifecycleStatus } from '../../contracts/lifecycle.js';
import type { MonitorStatus } from '../../contracts/monitor.js';
import type { ServedPrediction, WeekTraffic } from './replay.js';
import type { TrafficWeek } from './traffic.js';

export interface DemoWindow {
  readonly week: number;
  readonly from: string;
  readonly to: string;
  readonly requests: number;
  readonly predictions: number;
  readonly failedRequests: number;
  readonly labelsSent: number;
  /** Share of the week's predictions each version served. */
  readonly servedBy: Readonly<Record<string, number>>;
  /** AUC of the week's served predictions against the true outcomes (what the data says). */
  readonly liveAuc: number | null;
  readonly delayedShare: number;
  /** The monitor's last judged window in this week. */
  readonly drift: {
    readonly rows: number;
    readonly maxPsi: number | null;
    readonly drifted: boolean;
    readonly driftedFeatures: readonly string[];
  } | null;
  readonly events: readonly string[];
}

export interface DemoEvent {
  readonly week: number;
  readonly at: string;
  readonly kind: string;
  readonly detail: string;
}

/** AUC of predicted delay probabilities against outcomes; null when a week has only one outcome. */
function aucOf(predictions: readonly ServedPrediction[]): number | null {
  const roc = binaryRocCurve(
    Uint8Array.from(predictions, (prediction) => (prediction.delayed ? 1 : 0)),
    Float64Array.from(predictions, (prediction) => prediction.probability),
  );
  return roc.defined ? roc.auc : null;
}

/** The events of one week: monitor retrains and lifecycle transitions that happened during it. */
export function eventsBetween(
  from: number,
  to: number,
  week: number,
  monitor: MonitorStatus | null,
  lifecycle: LifecycleStatus | null,
): DemoEvent[] {
  const events: DemoEvent[] = [];
  for (const retrain of monitor?.retrains ?? []) {
    if (retrain.startedAt >= from && retrain.startedAt < to)
      events.push({
        week,
        at: new Date(retrain.startedAt).toISOString(),
        kind: 'retrain-started',
        detail: retrain.reason,
      });
    if (retrain.finishedAt && retrain.finishedAt >= from && retrain.finishedAt < to) {
      events.push({
        week,
        at: new Date(retrain.finishedAt).toISOString(),
        kind: 'retrain-finished',
        detail: `${retrain.status}${retrain.version ? `: v${retrain.version}` : ''}`,
      });
    }
  }
  for (const transition of lifecycle?.transitions ?? []) {
    if (transition.at >= from && transition.at < to) {
      events.push({
        week,
        at: new Date(transition.at).toISOString(),
        kind: transition.action,
        detail:
          transition.fromVersion === transition.toVersion
            ? `v${transition.toVersion ?? '-'} stays champion; ${transition.reason}`
            : `v${transition.fromVersion ?? '-'} -> v${transition.toVersion ?? '-'}: ${transition.reason}`,
      });
    }
  }
  return events.sort((a, b) => (a.at < b.at ? -1 : 1));
}

export function summarizeWeek(
  week: TrafficWeek,
  traffic: WeekTraffic,
  monitor: MonitorStatus | null,
  wallFrom: number,
  wallTo: number,
  events: readonly DemoEvent[],
): DemoWindow {
  const served: Record<string, number> = {};
  for (const prediction of traffic.predictions)
    served[`v${prediction.version}`] = (served[`v${prediction.version}`] ?? 0) + 1;
  for (const version of Object.keys(served))
    served[version] = Math.round((served[version] / traffic.predictions.length) * 1000) / 1000;
  const judged = (monitor?.windows ?? [])
    .filter((window) => window.windowEnd >= wallFrom && window.windowEnd < wallTo)
    .at(-1);
  return {
    week: week.index + 1,
    from: new Date(week.start).toISOString().slice(0, 10),
    to: new Date(week.end - 1).toISOString().slice(0, 10),
    requests: traffic.requests,
    predictions: traffic.predictions.length,
    failedRequests: traffic.failures,
    labelsSent: traffic.labelsSent,
    servedBy: served,
    liveAuc: aucOf(traffic.predictions),
    delayedShare: traffic.predictions.length
      ? traffic.predictions.filter((prediction) => prediction.delayed).length / traffic.predictions.length
      : 0,
    drift: judged
      ? {
          rows: judged.rows,
          maxPsi: judged.maxPsi,
          drifted: judged.drifted,
          driftedFeatures: judged.driftedFeatures,
        }
      : null,
    events: events.map((event) => `${event.kind}: ${event.detail}`),
  };
}

export function tableHeader(): string {
  return `${'week'.padEnd(5)}${'dates'.padEnd(24)}${'requests'.padStart(9)}${'preds'.padStart(7)}${'delayed'.padStart(9)}${'max PSI'.padStart(9)}${'drift'.padStart(7)}${'live AUC'.padStart(10)}  served by       events`;
}

export function tableRow(window: DemoWindow): string {
  const served = Object.entries(window.servedBy)
    .map(([version, share]) => `${version} ${Math.round(share * 100)}%`)
    .join(', ');
  const drift = window.drift;
  return (
    `${String(window.week).padEnd(5)}${`${window.from}..${window.to}`.padEnd(24)}${String(window.requests).padStart(9)}${String(window.predictions).padStart(7)}` +
    `${`${(window.delayedShare * 100).toFixed(1)}%`.padStart(9)}${(drift?.maxPsi?.toFixed(3) ?? '-').padStart(9)}${(drift ? (drift.drifted ? 'yes' : 'no') : '-').padStart(7)}` +
    `${(window.liveAuc?.toFixed(4) ?? '-').padStart(10)}  ${served.padEnd(15)} ${window.events.join(' | ')}`
  );
}
