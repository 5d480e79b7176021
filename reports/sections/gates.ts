/** Gates (value, threshold, pass or fail) and the comparison with the champion on the same test set. */

import { escapeHtml } from '../escape.js';
import { formatNumber, isFiniteNumber, MISSING } from '../format.js';
import { badge, paragraph, renderSection, renderTable } from '../html.js';
import { metricRows } from '../metric-rows.js';
import type { ChampionComparison, EvaluationResult, GateResult } from '../types.js';

function thresholdText(gate: GateResult): string {
  const threshold = formatNumber(gate.threshold);
  if (threshold === MISSING || !gate.bound) return threshold;
  return `${gate.bound === 'min' ? '≥' : '≤'} ${threshold}`;
}

function renderGates(gates: readonly GateResult[]): string {
  if (gates.length === 0) return paragraph('The spec sets no gates.');
  const failed = gates.filter((gate) => !gate.passed).length;
  const summary =
    failed === 0 ? `All ${gates.length} gates passed.` : `${failed} of ${gates.length} gates failed.`;
  return (
    `<p>${escapeHtml(summary)}</p>` +
    renderTable(
      [
        { title: 'Gate' },
        { title: 'Value', numeric: true },
        { title: 'Threshold', numeric: true },
        { title: 'Result' },
      ],
      gates.map((gate) => [
        escapeHtml(gate.name),
        formatNumber(gate.value),
        thresholdText(gate),
        gate.passed ? badge('pass', 'pass') : badge('fail', 'fail'),
      ]),
      gates.map((gate) => (gate.passed ? '' : 'row-fail')),
    )
  );
}

function verdict(difference: number, lowerIsBetter: boolean): string {
  if (difference === 0) return badge('same', 'neutral');
  return difference < 0 === lowerIsBetter ? badge('better', 'pass') : badge('worse', 'fail');
}

function renderChampion(champion: ChampionComparison | null, evaluation: EvaluationResult): string {
  if (!champion) return paragraph('No champion to compare with: this model had no earlier champion version.');
  const rows = metricRows(evaluation).filter((row) => Object.hasOwn(champion.metrics, row.key));
  if (rows.length === 0) {
    return paragraph(`Champion version ${champion.version} has no metrics in common with this version.`);
  }
  return (
    `<p>Compared with champion version ${escapeHtml(champion.version)} on the same test set.</p>` +
    renderTable(
      [
        { title: 'Metric' },
        { title: 'This version', numeric: true },
        { title: 'Champion', numeric: true },
        { title: 'Difference', numeric: true },
        { title: 'This version is' },
      ],
      rows.map((row) => {
        const championValue = champion.metrics[row.key];
        const difference =
          isFiniteNumber(row.value) && isFiniteNumber(championValue) ? row.value - championValue : null;
        return [
          escapeHtml(row.label),
          formatNumber(row.value),
          formatNumber(championValue),
          difference === null ? MISSING : `${difference > 0 ? '+' : ''}${formatNumber(difference)}`,
          difference === null ? MISSING : verdict(difference, row.lowerIsBetter),
        ];
      }),
    )
  );
}

export function renderGatesSection(
  gates: readonly GateResult[],
  champion: ChampionComparison | null,
  evaluation: EvaluationResult,
): string {
  return renderSection(
    'gates',
    'Gates and champion comparison',
    `<h3>Gates</h3>${renderGates(gates)}<h3>Champion</h3>${renderChampion(champion, evaluation)}`,
  );
}
