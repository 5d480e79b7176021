/** Tuning trials: each trial's params, validation metric and duration, the chosen one marked. */

import { escapeHtml } from '../escape.js';
import { formatDuration, formatNumber, formatParamValueHtml, isFiniteNumber } from '../format.js';
import { badge, paragraph, renderSection, renderTable } from '../html.js';
import type { Tuning } from '../types.js';

/** The pipeline's choice when given, else the first trial with the best finite validation metric. */
export function bestTrialId(tuning: Tuning): string | null {
  if (tuning.bestTrialId !== undefined) return tuning.bestTrialId;
  let best: { id: string; value: number } | null = null;
  for (const trial of tuning.trials) {
    if (!isFiniteNumber(trial.validationMetric)) continue;
    const better = tuning.lowerIsBetter
      ? trial.validationMetric < (best?.value ?? Infinity)
      : trial.validationMetric > (best?.value ?? -Infinity);
    if (!best || better) best = { id: trial.id, value: trial.validationMetric };
  }
  return best?.id ?? null;
}

function paramsHtml(params: Readonly<Record<string, unknown>>): string {
  const entries = Object.entries(params ?? {});
  if (entries.length === 0) return '–';
  return entries
    .map(([name, value]) => `<code>${escapeHtml(name)}=${formatParamValueHtml(value)}</code>`)
    .join(' ');
}

export function renderTrialsSection(tuning: Tuning | null): string {
  if (!tuning) return '';
  if (tuning.trials.length === 0) {
    return renderSection('trials', 'Tuning trials', paragraph('The search ran no trials.'));
  }
  const best = bestTrialId(tuning);
  const table = renderTable(
    [
      { title: 'Trial' },
      { title: 'Params' },
      { title: `Validation ${tuning.metric}`, numeric: true },
      { title: 'Duration', numeric: true },
      { title: 'Status' },
    ],
    tuning.trials.map((trial) => [
      escapeHtml(trial.id) + (trial.id === best ? ` ${badge('best', 'champion')}` : ''),
      paramsHtml(trial.params),
      formatNumber(trial.validationMetric),
      formatDuration(trial.durationMs),
      escapeHtml(trial.status ?? ''),
    ]),
    tuning.trials.map((trial) => (trial.id === best ? 'row-best' : '')),
  );
  const direction = tuning.lowerIsBetter ? 'lowest' : 'highest';
  return renderSection(
    'trials',
    'Tuning trials',
    paragraph(
      `${tuning.trials.length} trials, ranked by validation ${tuning.metric} (${direction} is best).`,
    ) + table,
  );
}
