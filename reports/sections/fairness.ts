/**
 * Fairness by group: per positive class (one for binary, one-vs-rest per class for multiclass)
 * and sensitive attribute, the selection rate, true positive rate and false positive rate of each
 * group as grouped bars, small groups marked, and the disparities over all groups and over the
 * groups that are not small.
 */

import {
  judgedDisparities,
  judgedFairness,
  type AttributeFairness,
  type FairnessReport,
} from '../../ml/fairness/index.js';
import { escapeHtml } from '../escape.js';
import { formatCount, formatNumber } from '../format.js';
import { paragraph, renderSection, renderTable } from '../html.js';
import { chartId } from '../svg/frame.js';
import { renderGroupedBarChart } from '../svg/grouped-bar-chart.js';

const RATES = ['Selection rate', 'True positive rate', 'False positive rate'];

function disparityTable(attribute: AttributeFairness): string {
  const rows = [
    { name: 'All groups', value: attribute.overall },
    { name: 'Groups that are not small', value: attribute.excludingSmallGroups },
  ];
  return renderTable(
    [
      { title: 'Over' },
      { title: 'Groups', numeric: true },
      { title: 'Demographic parity difference', numeric: true },
      { title: 'Demographic parity ratio', numeric: true },
      { title: 'Equalized odds difference', numeric: true },
    ],
    rows.map(({ name, value }) => [
      escapeHtml(name),
      formatCount(value?.groupCount),
      formatNumber(value?.demographicParityDifference),
      formatNumber(value?.demographicParityRatio),
      formatNumber(value?.equalizedOddsDifference),
    ]),
  );
}

function attributeBlock(
  report: FairnessReport,
  positiveClass: string,
  attribute: AttributeFairness,
  id: string,
): string {
  const groups = attribute.groups ?? [];
  const chart = renderGroupedBarChart({
    id,
    title: `${attribute.attribute}: rates by group for class ${positiveClass}`,
    description:
      `Selection rate, true positive rate and false positive rate of each group of ${attribute.attribute}, ` +
      `with class ${positiveClass} as the positive class. ` +
      groups
        .map(
          (group) =>
            `${group.group}: ${formatCount(group.count)} rows, selection rate ${formatNumber(group.selectionRate)}.`,
        )
        .join(' '),
    seriesNames: RATES,
    groups: groups.map((group) => ({
      label: group.group,
      values: [group.selectionRate, group.truePositiveRate, group.falsePositiveRate],
      marked: group.smallGroup,
    })),
    categoryLabel: attribute.attribute,
    valueLabel: 'Rate',
    yDomain: [0, 1],
    markNote: `small group: fewer than ${formatCount(report.minGroupSize)} rows, rates too noisy to act on`,
    emptyMessage: 'No groups: the sensitive attribute has no rows in the test set.',
  });
  const groupTable = renderTable(
    [
      { title: 'Group' },
      { title: 'Rows', numeric: true },
      { title: 'Actual positives', numeric: true },
      { title: 'Selection rate', numeric: true },
      { title: 'TPR', numeric: true },
      { title: 'FPR', numeric: true },
      { title: 'Accuracy', numeric: true },
      { title: 'Small' },
    ],
    groups.map((group) => [
      escapeHtml(group.group),
      formatCount(group.count),
      formatCount(group.actualPositiveCount),
      formatNumber(group.selectionRate),
      formatNumber(group.truePositiveRate),
      formatNumber(group.falsePositiveRate),
      formatNumber(group.accuracy),
      group.smallGroup ? 'yes' : 'no',
    ]),
  );
  const tables = groups.length === 0 ? '' : groupTable + disparityTable(attribute);
  return `<div class="fairness-block">${chart}${tables}</div>`;
}

/**
 * The worst disparities by the rule the gates apply (ml/fairness/gate-rule.ts), saying which small
 * groups that leaves out and why, then the same over all groups for comparison.
 */
function headline(report: FairnessReport): string {
  const judged = judgedFairness(report).worst;
  const leftOut = new Map<string, Set<string>>();
  for (const entry of report.classes ?? [])
    for (const attribute of entry.attributes ?? []) {
      const groups = leftOut.get(attribute.attribute) ?? new Set<string>();
      for (const group of judgedDisparities(attribute).leftOut) groups.add(group);
      leftOut.set(attribute.attribute, groups);
    }
  const countOf = (attribute: string, group: string) =>
    report.classes
      .flatMap((entry) => entry.attributes)
      .find((candidate) => candidate.attribute === attribute)
      ?.groups.find((candidate) => candidate.group === group)?.count;
  const leftOutText = [...leftOut]
    .filter(([, groups]) => groups.size > 0)
    .map(
      ([attribute, groups]) =>
        `${attribute}: ${[...groups]
          .map((group) => `${group} (${formatCount(countOf(attribute, group))} rows)`)
          .join(', ')}`,
    );
  const rule =
    leftOutText.length > 0
      ? `Left out as small groups (fewer than ${formatCount(report.minGroupSize)} rows each, rates too noisy to act on): ${leftOutText.join('; ')}.`
      : `No group was left out: every group has at least ${formatCount(report.minGroupSize)} rows, or too few groups do for a comparison without the small ones.`;
  const all = report.worst;
  return (
    paragraph(
      `As the gates judge it: worst demographic parity difference ${formatNumber(judged.demographicParityDifference)}, ` +
        `ratio ${formatNumber(judged.demographicParityRatio)}, equalized odds difference ${formatNumber(judged.equalizedOddsDifference)}, ` +
        'over every class and attribute.',
      'summary',
    ) +
    paragraph(
      `${rule} Over all groups, small ones included: demographic parity difference ${formatNumber(all?.demographicParityDifference)}, ` +
        `ratio ${formatNumber(all?.demographicParityRatio)}, equalized odds difference ${formatNumber(all?.equalizedOddsDifference)}.`,
    )
  );
}

export function renderFairnessSection(report: FairnessReport | null): string {
  if (!report) {
    return renderSection(
      'fairness',
      'Fairness by group',
      paragraph('No fairness evaluation: the spec names no sensitive attribute, or the task is regression.'),
    );
  }
  const classes = report.classes ?? [];
  const blocks = classes.flatMap((entry, classIndex) =>
    (entry.attributes ?? []).map((attribute, attributeIndex) =>
      attributeBlock(
        report,
        entry.positiveClass,
        attribute,
        chartId('chart', 'fairness', classIndex, attributeIndex),
      ),
    ),
  );
  const summary = headline(report);
  const content =
    blocks.length === 0 ? paragraph('No sensitive attributes were evaluated.') : blocks.join('');
  return renderSection('fairness', 'Fairness by group', summary + content);
}
