/** Options every frame builder shares: which columns to force to a type instead of inferring it. */
import { FrameError } from './frame.js';
import type { ColumnTypeRequest } from './column-accumulator.js';

export interface FrameBuildOptions {
  /** Columns to read as numbers: numeric strings are parsed, other strings are an error. */
  readonly numeric?: readonly string[];
  /** Columns to read as categories: numbers and booleans become their text ("3.5", "true"). */
  readonly categorical?: readonly string[];
}

export function typeRequestFor(options: FrameBuildOptions, name: string): ColumnTypeRequest {
  if (options.numeric?.includes(name)) return 'numeric';
  if (options.categorical?.includes(name)) return 'categorical';
  return 'infer';
}

/** Refuses options that name a column twice or name columns the data does not have. */
export function checkTypeRequests(options: FrameBuildOptions, columnNames: readonly string[]): void {
  const known = new Set(columnNames);
  for (const name of options.numeric ?? []) {
    if (options.categorical?.includes(name)) {
      throw new FrameError(
        `column ${JSON.stringify(name)} is listed as both numeric and categorical; pick one`,
      );
    }
  }
  for (const name of [...(options.numeric ?? []), ...(options.categorical ?? [])]) {
    if (!known.has(name)) {
      throw new FrameError(`column ${JSON.stringify(name)} was given a type but the data has no such column`);
    }
  }
}
