import { InputError } from '../contracts/errors.js';

/** The dataset itself, the spec's query or a path is wrong: retrying cannot help, the user has to fix it. */
export class DatasetInputError extends InputError {
  override name = 'DatasetInputError';
}

/**
 * DuckDB's message cut to its first paragraph: the rest is the excerpt of SQL we built ("LINE 1:")
 * and hints about DuckDB options a spec cannot set. "Original Line:" (a raw line of the file) is
 * dropped too, so fewer data values reach logs and workflow histories.
 */
export function duckDBMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstParagraph = message.trim().split(/\n\s*\n/)[0];
  return firstParagraph
    .split('\n')
    .filter((line) => !line.startsWith('Original Line:'))
    .join(' ')
    .trim()
    .replace(/\.+$/, '');
}
