/**
 * The one shape of every "this graph does not fit" message: what is wrong, what the graph
 * declares, what was expected, how to export it instead. Trainers read these in a failed stage,
 * so each part is spelled out rather than left to a stack trace. No apostrophes in them: a stored
 * failure masks single-quoted text as data values (contracts/errors.ts failureMessageOf), and two
 * apostrophes would hide everything between them.
 */
import { OnnxModelError } from './errors.js';
import { describeValue, type GraphValue } from './graph-values.js';

/** Lists shown in full up to this many items: a graph of 500 inputs should not make a 50 KB message. */
const LISTED_ITEMS = 20;

export function listed(items: readonly string[], separator = ', '): string {
  if (items.length <= LISTED_ITEMS) return items.join(separator);
  return `${items.slice(0, LISTED_ITEMS).join(separator)}${separator}and ${items.length - LISTED_ITEMS} more`;
}

export function quoted(names: readonly string[]): string {
  return listed(names.map((name) => JSON.stringify(name)));
}

export interface GraphMismatch {
  /** The side of the graph that does not fit. */
  readonly side: 'inputs' | 'outputs';
  readonly problems: readonly string[];
  /** That side's values as the graph declares them. */
  readonly declared: readonly GraphValue[];
  readonly expected: string;
  readonly fix: string;
}

export function graphMismatchError({
  side,
  problems,
  declared,
  expected,
  fix,
}: GraphMismatch): OnnxModelError {
  const declaredText = declared.length === 0 ? 'none' : listed(declared.map(describeValue));
  return new OnnxModelError(
    `the ${side} of the ONNX model do not fit the dataset: ${listed(problems, '; ')}. ` +
      `The graph declares ${side} ${declaredText}; expected ${expected}. To fix it, ${fix}.`,
  );
}
