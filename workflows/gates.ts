import type { GateOutcome } from '../contracts/pipeline.js';
import { roundTo } from './rounding.js';
import { isFairnessGate, lowerIsBetter, type Gate, type PrimaryMetric } from '../spec/types.js';

export interface GateInputs {
  readonly metrics: Readonly<Record<string, number | null>>;
  /** Worst value per fairness metric (`demographic_parity_difference`) and per `metric:attribute`. */
  readonly fairness: Readonly<Record<string, number | null>>;
  readonly primaryMetric: PrimaryMetric;
  /** The current champion scored on the same test set, when `compareToChampion` is on. */
  readonly champion?: { readonly version: number; readonly value: number | null } | null;
  readonly compareToChampion: boolean;
}

/**
 * The spec's gates judged against this run's numbers, one outcome per bound. A gate whose metric
 * could not be computed (AUC with one class in the test set) fails: an unknown value never passes.
 */
export function evaluateGates(gates: readonly Gate[], inputs: GateInputs): GateOutcome[] {
  const outcomes = gates.flatMap((gate) => {
    const name = isFairnessGate(gate)
      ? gate.attribute
        ? `${gate.fairness}:${gate.attribute}`
        : gate.fairness
      : gate.metric;
    const value = (isFairnessGate(gate) ? inputs.fairness[name] : inputs.metrics[name]) ?? null;
    const bounds: GateOutcome[] = [];
    if (gate.min !== undefined) bounds.push(judge(name, value, gate.min, 'min'));
    if (gate.max !== undefined) bounds.push(judge(name, value, gate.max, 'max'));
    return bounds;
  });
  if (inputs.compareToChampion) outcomes.push(championGate(inputs));
  return outcomes;
}

function judge(
  name: string,
  value: number | null,
  threshold: number,
  bound: 'min' | 'max',
  note?: string,
): GateOutcome {
  const passed = value !== null && (bound === 'min' ? value >= threshold : value <= threshold);
  return { name, passed, value, threshold, bound, ...(note ? { note } : {}) };
}

/** The new version must not be worse than the champion on the primary metric, on the same test set. */
function championGate(inputs: GateInputs): GateOutcome {
  const metric = inputs.primaryMetric;
  const name = `champion:${metric}`;
  const value = inputs.metrics[metric] ?? null;
  const bound = lowerIsBetter.has(metric) ? 'max' : 'min';
  const champion = inputs.champion;
  if (!champion) return { name, passed: true, value, threshold: null, bound, note: 'no champion yet' };
  if (champion.value === null) {
    return {
      name,
      passed: true,
      value,
      threshold: null,
      bound,
      note: `champion v${champion.version} cannot score this data`,
    };
  }
  return judge(name, value, champion.value, bound, `champion v${champion.version}`);
}

export function rejectionReasons(outcomes: readonly GateOutcome[]): string[] {
  return outcomes
    .filter((outcome) => !outcome.passed)
    .map((outcome) => {
      const value = outcome.value === null ? 'not computable' : String(roundTo(outcome.value, 6));
      const required = `${outcome.bound === 'min' ? '>=' : '<='} ${outcome.threshold === null ? 'n/a' : roundTo(outcome.threshold, 6)}`;
      return `${outcome.name} = ${value}, required ${required}${outcome.note ? ` (${outcome.note})` : ''}`;
    });
}
