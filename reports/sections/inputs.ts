/** The model's inputs: name, kind, and the range or categories training saw, with missing values. */

import { escapeHtml } from '../escape.js';
import { formatCount, formatNumber } from '../format.js';
import { paragraph, renderSection, renderTable } from '../html.js';
import type { InputSummary } from '../types.js';

// Categories shown per input; the rest are counted.
const SHOWN_CATEGORIES = 8;

/** A training value as people write it: whole numbers whole, others to four significant digits. */
function value(number: number | null): string {
  if (number === null || !Number.isFinite(number)) return formatNumber(number);
  return Number.isInteger(number) ? String(number) : String(Number(number.toPrecision(4)));
}

function valuesText(input: InputSummary): string {
  if (input.kind === 'numeric') {
    if (input.min === null) return 'every training value was missing';
    return `${value(input.min)} to ${value(input.max)} (mean ${value(input.mean)})`;
  }
  const shown = input.categories
    .slice(0, SHOWN_CATEGORIES)
    .map((category) => `<code>${escapeHtml(category)}</code>`);
  const more = input.distinctCount - shown.length;
  return `${shown.join(', ')}${more > 0 ? ` and ${formatCount(more)} more` : ''}`;
}

export function renderInputsSection(inputs: readonly InputSummary[] | null | undefined): string {
  if (!inputs || inputs.length === 0) {
    return renderSection(
      'inputs',
      'Inputs',
      paragraph('No input profile was kept for this version (it is made with the final evaluation).'),
    );
  }
  const table = renderTable(
    [
      { title: 'Input' },
      { title: 'Kind' },
      { title: 'Training values' },
      { title: 'Missing in training', numeric: true },
    ],
    inputs.map((input) => [
      `<code>${escapeHtml(input.name)}</code>`,
      input.kind,
      valuesText(input),
      `${formatCount(input.missing)} of ${formatCount(input.rows + input.missing)}`,
    ]),
  );
  return renderSection(
    'inputs',
    'Inputs',
    paragraph(
      'What the model reads, as its training data held it; drift monitoring compares live traffic with the same profile. ' +
        'A request must send every input unless the spec lists it in serving.allowMissing (GET /openapi.json gives the request schema).',
    ) + table,
  );
}
