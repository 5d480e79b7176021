import type { DriftWindowOutput } from '../contracts/loop-stages.js';
import type { MonitorPolicy, MonitorState, WindowSummary } from '../contracts/monitor.js';
import { improvement } from './lifecycle-verdicts.js';
import { shownNumber } from './rounding.js';

export interface WindowVerdict {
  /** The window as the monitor keeps it, with the action it led to. */
  readonly summary: WindowSummary;
  /** Drifted windows in a row, counting this one (unchanged by a window too small to judge). */
  readonly consecutiveDrifted: number;
  /** When the drift episode this window belongs to began (null: no drift now). */
  readonly episodeStart: number | null;
  /** Why a retraining run is due, when one is. */
  readonly retrainReason: string | null;
  /** Due and allowed: not within the cooldown, no retraining already running. */
  readonly startRetraining: boolean;
}

/**
 * The monitor's judgement of one window, pure: a window with fewer than `minRows` predictions is
 * not judged; drift that persists `driftWindows` windows in a row, or a live primary metric more
 * than `metricDrop` worse than the model's test value (on `minLabels` labels or more), makes a
 * retraining due; it starts unless the cooldown runs or a retraining already does.
 */
export function judgeWindow(
  window: { readonly start: number; readonly end: number; readonly result: DriftWindowOutput },
  state: Pick<MonitorState, 'consecutiveDrifted' | 'episodeStart' | 'cooldownUntil'>,
  policy: MonitorPolicy,
  retrainingRuns: boolean,
): WindowVerdict {
  const { result } = window;
  const judged = result.rows >= policy.minRows;
  const drifted = judged && result.drifted;
  const consecutiveDrifted = judged ? (drifted ? state.consecutiveDrifted + 1 : 0) : state.consecutiveDrifted;
  const episodeStart = drifted ? (state.episodeStart ?? window.start) : judged ? null : state.episodeStart;
  const live = result.liveMetric;
  const metricDropped =
    live !== null &&
    result.labeled >= policy.minLabels &&
    live.value !== null &&
    live.testValue !== null &&
    -improvement(live.lowerIsBetter, live.testValue, live.value) > policy.metricDrop;
  const retrainReason =
    consecutiveDrifted >= policy.driftWindows
      ? `drift in ${consecutiveDrifted} consecutive windows (${result.driftedFeatures.join(', ')})`
      : metricDropped
        ? `live ${live?.name} ${shownNumber(live?.value)} is more than ${policy.metricDrop} below the test value ${shownNumber(live?.testValue)}`
        : null;
  const coolingDown = window.end < state.cooldownUntil || retrainingRuns;
  const action = !judged
    ? `not judged: ${result.rows} rows (< ${policy.minRows})`
    : retrainReason && coolingDown
      ? `${retrainingRuns ? 'retraining already' : 'cooldown'}: ${retrainReason}`
      : retrainReason
        ? `retrain: ${retrainReason}`
        : null;
  return {
    summary: {
      windowStart: window.start,
      windowEnd: window.end,
      rows: result.rows,
      drifted,
      driftedFeatures: result.driftedFeatures,
      maxPsi: result.maxPsi,
      labeled: result.labeled,
      liveMetric: live ? { name: live.name, value: live.value, testValue: live.testValue } : null,
      servedVersion: result.modelVersion,
      action,
    },
    consecutiveDrifted,
    episodeStart,
    retrainReason,
    startRetraining: retrainReason !== null && !coolingDown,
  };
}
