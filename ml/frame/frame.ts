/**
 * Columnar frames: the one data shape every trainer, metric and statistic in ml/ reads.
 *
 * Numeric columns hold Float64Array values; a missing value is NaN in `values` and 1 in `missing`
 * (the mask is kept so a caller never has to reason about NaN that came from the data itself).
 * Categorical columns hold Int32Array codes into `dictionary`; a missing value has code -1.
 * Column names are arbitrary strings (spaces and punctuation included).
 */
import { InputError } from '../../contracts/errors.js';

export interface NumericColumn {
  readonly kind: 'numeric';
  readonly name: string;
  readonly values: Float64Array;
  /** 1 where the value is missing; null when no value is missing. */
  readonly missing: Uint8Array | null;
  /**
   * What the values were before they became numbers, when they were not plain numbers: booleans
   * are stored as 0/1 and timestamps as epoch milliseconds. Absent for plain numbers. Model input
   * schemas keep it so that serving accepts `true` or an ISO date for such a column.
   */
  readonly sourceType?: 'boolean' | 'timestamp';
}

export interface CategoricalColumn {
  readonly kind: 'categorical';
  readonly name: string;
  /** Index into `dictionary`, or MISSING_CODE. */
  readonly codes: Int32Array;
  readonly dictionary: readonly string[];
}

export type Column = NumericColumn | CategoricalColumn;

export const MISSING_CODE = -1;

export interface Frame {
  readonly rowCount: number;
  readonly columns: readonly Column[];
}

/** A column the frame does not have, or values it cannot hold: the spec or data must change. */
export class FrameError extends InputError {
  override name = 'FrameError';
}

export function getColumn(frame: Frame, name: string): Column {
  const column = frame.columns.find((candidate) => candidate.name === name);
  if (!column) {
    const known = frame.columns.map((candidate) => JSON.stringify(candidate.name)).join(', ');
    throw new FrameError(`column ${JSON.stringify(name)} does not exist; the frame has ${known}`);
  }
  return column;
}
