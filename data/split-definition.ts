/**
 * A split of a snapshot into train / validation / test, stored as a small JSON document instead
 * of copied rows: which rule puts each row in which part, plus the counts it produced.
 */

export type SplitPart = 'train' | 'validation' | 'test';

export const splitParts: readonly SplitPart[] = ['train', 'validation', 'test'];

export interface PartCounts {
  readonly train: number;
  readonly validation: number;
  readonly test: number;
}

/**
 * One stratum of a random split: the rows sharing a target value (or every row when the split is
 * not stratified). A row's hash is a 32-bit number derived from its row number and the seed; rows
 * hashing below `testBelow` are test, below `validationBelow` validation, the rest train. The
 * bounds are chosen so that each part gets exactly round(rows x fraction) rows of the stratum.
 */
export interface RandomSplitStratum extends PartCounts {
  /** The target value as text; null for rows whose target is null, or for all rows when not stratified. */
  readonly value: string | null;
  readonly rows: number;
  readonly testBelow: number;
  readonly validationBelow: number;
}

export interface RandomSplitDefinition {
  readonly version: 1;
  readonly strategy: 'random';
  readonly seed: number;
  readonly testFraction: number;
  readonly validationFraction: number;
  /** The target column the split keeps class proportions of; null when not stratified. */
  readonly stratifiedBy: string | null;
  readonly strata: readonly RandomSplitStratum[];
  readonly rows: number;
  readonly counts: PartCounts;
  /** Why a requested stratification was not applied, when it was not. */
  readonly note?: string;
}

/**
 * A time split: test holds the latest rows (time at or after `testFrom`), validation the ones
 * before them (at or after `validationFrom`), train the earliest ones. Rows without a time go to
 * train: they cannot leak the future into evaluation, and dropping them would lose data silently.
 * Cutoffs are the column's values as DuckDB text, read back with a cast to `timeType`.
 */
export interface TimeSplitDefinition {
  readonly version: 1;
  readonly strategy: 'time';
  readonly timeColumn: string;
  readonly timeType: string;
  readonly testFraction: number;
  readonly validationFraction: number;
  /** Null: no test rows. */
  readonly testFrom: string | null;
  /** Null: no validation rows. */
  readonly validationFrom: string | null;
  readonly rowsWithoutTime: number;
  readonly rows: number;
  readonly counts: PartCounts;
}

export type SplitDefinition = RandomSplitDefinition | TimeSplitDefinition;
