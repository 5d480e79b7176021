/** The training-side summary of one categorical feature: top categories, "other" and missing. */

import { compareText } from '../encoders/categorical.js';
import { type CategoricalColumn, MISSING_CODE } from '../frame/frame.js';
import { DriftInputError } from './errors.js';
import type { CategoricalFeatureProfile, ProfileSettings } from './profile-types.js';

export function buildCategoricalProfile(
  column: CategoricalColumn,
  settings: ProfileSettings,
): CategoricalFeatureProfile {
  const { codes, dictionary } = column;
  const perCode = new Float64Array(dictionary.length);
  let missingCount = 0;
  for (let index = 0; index < codes.length; index += 1) {
    const code = codes[index];
    if (code === MISSING_CODE) missingCount += 1;
    else if (code >= 0 && code < dictionary.length) perCode[code] += 1;
    else {
      throw new DriftInputError(
        `column ${JSON.stringify(column.name)} has code ${code} at row ${index} but a dictionary of ${dictionary.length}`,
      );
    }
  }
  // Two dictionary entries may spell the same category; count by name.
  const byName = new Map<string, number>();
  perCode.forEach((count, code) => {
    if (count > 0) byName.set(dictionary[code], (byName.get(dictionary[code]) ?? 0) + count);
  });
  // Most frequent first; ties by name so the same data always gives the same profile.
  const ranked = [...byName.entries()].sort(
    ([nameA, countA], [nameB, countB]) => countB - countA || compareText(nameA, nameB),
  );
  const top = ranked.slice(0, settings.topCategoryCount);
  const otherCount = ranked.slice(settings.topCategoryCount).reduce((sum, [, count]) => sum + count, 0);
  return {
    kind: 'categorical',
    name: column.name,
    count: codes.length - missingCount,
    missingCount,
    categories: top.map(([name]) => name),
    categoryCounts: top.map(([, count]) => count),
    otherCount,
    distinctCount: ranked.length,
  };
}
