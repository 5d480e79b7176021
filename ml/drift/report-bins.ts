/** Shares per bin for the report, so a UI can draw reference and window side by side. */

import type { DriftBin } from './report-types.js';

export const MISSING_LABEL = '(missing)';
export const OTHER_LABEL = '(other)';

export function toBins(
  labels: readonly string[],
  reference: readonly number[],
  window: readonly number[],
): DriftBin[] {
  const referenceTotal = reference.reduce((sum, count) => sum + count, 0);
  const windowTotal = window.reduce((sum, count) => sum + count, 0);
  return labels.map((label, index) => ({
    label,
    referenceShare: referenceTotal > 0 ? reference[index] / referenceTotal : 0,
    windowShare: windowTotal > 0 ? window[index] / windowTotal : 0,
  }));
}
