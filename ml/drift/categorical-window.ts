/**
 * The window-side summary of one categorical feature: a count per reference bucket (each top
 * category, "other", missing). Window values are matched to reference categories by name, so the
 * window may use any dictionary; names the reference never kept count as "other".
 */

import { MISSING_CODE } from '../frame/frame.js';
import { DriftInputError } from './errors.js';
import type { CategoricalFeatureProfile } from './profile-types.js';

export class CategoricalWindow {
  /** Counts per bucket: the profile's categories, then "other", then missing. */
  readonly bucketCounts: Float64Array;
  readonly otherBucket: number;
  readonly missingBucket: number;
  private readonly bucketOfName: Map<string, number>;
  // Rebuilt only when a batch brings a different dictionary object (or the same one, grown).
  private lastDictionary: readonly string[] | null = null;
  private lastMapping = new Int32Array(0);

  constructor(readonly profile: CategoricalFeatureProfile) {
    this.bucketOfName = new Map(profile.categories.map((name, index) => [name, index]));
    this.otherBucket = profile.categories.length;
    this.missingBucket = profile.categories.length + 1;
    this.bucketCounts = new Float64Array(profile.categories.length + 2);
  }

  private mappingFor(dictionary: readonly string[]): Int32Array {
    if (dictionary !== this.lastDictionary || dictionary.length !== this.lastMapping.length) {
      this.lastMapping = Int32Array.from(
        dictionary,
        (name) => this.bucketOfName.get(name) ?? this.otherBucket,
      );
      this.lastDictionary = dictionary;
    }
    return this.lastMapping;
  }

  addCodes(codes: Int32Array, dictionary: readonly string[], start = 0, end = codes.length): void {
    const mapping = this.mappingFor(dictionary);
    const counts = this.bucketCounts;
    const size = mapping.length;
    for (let row = start; row < end; row += 1) {
      const code = codes[row];
      if (code === MISSING_CODE) counts[this.missingBucket] += 1;
      else if (code >= 0 && code < size) counts[mapping[code]] += 1;
      else {
        throw new DriftInputError(
          `column ${JSON.stringify(this.profile.name)} has code ${code} at row ${row} but a dictionary of ${size}`,
        );
      }
    }
  }

  /** One value from a row object: a string (or number/boolean, compared as text), null/undefined = missing. */
  addValue(value: unknown): void {
    if (value === null || value === undefined) this.bucketCounts[this.missingBucket] += 1;
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      this.bucketCounts[this.bucketOfName.get(String(value)) ?? this.otherBucket] += 1;
    } else {
      throw new DriftInputError(
        `column ${JSON.stringify(this.profile.name)} got a ${typeof value} value; expected a string or null`,
      );
    }
  }

  get count(): number {
    let total = 0;
    for (let bucket = 0; bucket < this.missingBucket; bucket += 1) total += this.bucketCounts[bucket];
    return total;
  }

  get missingCount(): number {
    return this.bucketCounts[this.missingBucket];
  }
}
