import { InputError } from '../contracts/errors.js';

/** The dataset itself, the spec's query or a path is wrong: retrying cannot help, the user has to fix it. */
export class DatasetInputError extends InputError {
  override name = 'DatasetInputError';
}

/**
 * DuckDB's message cut to its first paragraph: the rest is the excerpt of SQL we built ("LINE 1:")
 * and hints about DuckDB options a spec cannot set. "Original Line:" (a raw line of the file) is
 * dropped too, and double-quoted values are masked (`could not convert string "14/03/1985"`), so
 * no data value reaches logs and workflow histories: failures mask single-quoted ones
 * (contracts/errors.ts failureMessageOf), but DuckDB quotes values both ways. Names stay: a
 * quoted word after `column`, `table`, `function` or `type` is an identifier, not data.
 */
export function duckDBMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstParagraph = message.trim().split(/\n\s*\n/)[0];
  return firstParagraph
    .split('\n')
    .filter((line) => !line.startsWith('Original Line:'))
    .join(' ')
    .trim()
    .replace(/\.+$/, '')
    .replace(/"(?:[^"]|"")*"/g, maskQuotedValues());
}

const identifierWords = /\b(columns?|tables?|functions?|types?|bindings?|schemas?|views?)[\s:]*$/i;

/** A replacer that keeps quoted identifiers (and the rest of a list of them) and masks the rest. */
function maskQuotedValues(): (quoted: string, offset: number, text: string) => string {
  let previousEnd = -1;
  let previousKept = false;
  return (quoted, offset, text) => {
    const before = text.slice(Math.max(0, offset - 24), offset);
    const continuesList = previousEnd >= 0 && /^\s*,\s*$/.test(text.slice(previousEnd, offset));
    previousKept = continuesList ? previousKept : identifierWords.test(before);
    previousEnd = offset + quoted.length;
    return previousKept ? quoted : '"…"';
  };
}
