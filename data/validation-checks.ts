/**
 * The spec's expectations as SQL: each check is a predicate that is true for a failing row, so
 * one aggregate scan counts every check and a small query per violated check fetches examples.
 */
import type { ColumnExpectation } from '../spec/types.js';
import { isNumericType, isTextType, numberLiteral, quoteIdentifier, quoteLiteral } from './sql.js';

export type ExpectationName =
  | 'minRows'
  | 'maxNullFraction'
  | 'columnPresent'
  | 'type'
  | 'min'
  | 'max'
  | 'allowed'
  | 'targetPresent'
  | 'targetNotNull'
  | 'targetNonConstant';

/** A per-row check on one column. */
export interface RowCheck {
  readonly expectation: 'type' | 'min' | 'max' | 'allowed';
  readonly column: string;
  /** SQL predicate, true for a failing row (never true for NULL). */
  readonly failing: string;
  /** Share of non-null values that may fail. */
  readonly allowedFraction: number;
  /** Message for `count` failing values out of `nonNull`. */
  describe(count: number, nonNull: number): string;
}

export function rowChecks(column: string, type: string, expectation: ColumnExpectation): RowCheck[] {
  const checks: RowCheck[] = [];
  const quoted = quoteIdentifier(column);
  const label = `column ${JSON.stringify(column)}`;
  if (expectation.type !== undefined) {
    const wanted = expectation.type;
    const allowedFraction = expectation.maxInvalidFraction ?? 0;
    checks.push({
      expectation: 'type',
      column,
      failing: typeFailing(quoted, type, wanted),
      allowedFraction,
      describe: (count, nonNull) =>
        `${label}: ${count} of ${nonNull} non-null values (${percent(count / nonNull)}) are not ${wanted}s ` +
        `(the column's type is ${type}); at most ${percent(allowedFraction)} may be (maxInvalidFraction). ` +
        `Fix the data, convert it in dataset.query (e.g. TRY_CAST(${quoted} AS ${sqlTypeFor[wanted]})) or raise maxInvalidFraction`,
    });
  }
  const numeric = numericValue(quoted, type);
  for (const bound of ['min', 'max'] as const) {
    const limit = expectation[bound];
    if (limit === undefined) continue;
    const comparison = bound === 'min' ? '<' : '>';
    checks.push({
      expectation: bound,
      column,
      failing:
        numeric === null ? `${quoted} IS NOT NULL` : `${numeric} ${comparison} ${numberLiteral(limit)}`,
      allowedFraction: 0,
      describe: (count) =>
        numeric === null
          ? `${label} has type ${type}, but ${bound} applies to numbers; remove ${bound} or convert the column in dataset.query`
          : `${label}: ${valueCount(count)} ${count === 1 ? 'is' : 'are'} ${bound === 'min' ? 'below the minimum' : 'above the maximum'} ${limit}`,
    });
  }
  if (expectation.allowed !== undefined) {
    const allowed = expectation.allowed;
    checks.push({
      expectation: 'allowed',
      column,
      failing: `${quoted} IS NOT NULL AND ${notAllowed(quoted, type, allowed)}`,
      allowedFraction: 0,
      describe: (count) =>
        `${label}: ${valueCount(count)} ${count === 1 ? 'is' : 'are'} not among the allowed ${JSON.stringify(allowed)}; ` +
        'fix the data, filter them out in dataset.query, or add them to allowed',
    });
  }
  return checks;
}

const sqlTypeFor = { number: 'DOUBLE', boolean: 'BOOLEAN', string: 'VARCHAR' } as const;

function typeFailing(quoted: string, type: string, wanted: 'number' | 'string' | 'boolean'): string {
  const present = `${quoted} IS NOT NULL`;
  if (wanted === 'number') {
    if (isNumericType(type)) return 'false';
    return isTextType(type) ? `${present} AND TRY_CAST(${quoted} AS DOUBLE) IS NULL` : present;
  }
  if (wanted === 'boolean') {
    if (type === 'BOOLEAN') return 'false';
    if (isTextType(type)) return `${present} AND TRY_CAST(${quoted} AS BOOLEAN) IS NULL`;
    return isNumericType(type) ? `${present} AND ${quoted} NOT IN (0, 1)` : present;
  }
  return isTextType(type) ? 'false' : present;
}

/** The column's values as numbers where they can be (text is parsed), or null when they cannot. */
function numericValue(quoted: string, type: string): string | null {
  if (isNumericType(type)) return `${quoted}::DOUBLE`;
  return isTextType(type) ? `TRY_CAST(${quoted} AS DOUBLE)` : null;
}

function notAllowed(quoted: string, type: string, allowed: readonly (string | number | boolean)[]): string {
  if (isNumericType(type)) {
    const numbers = allowed
      .filter((value) => typeof value === 'number' || (typeof value === 'string' && value.trim() !== ''))
      .map(Number)
      .filter(Number.isFinite);
    return numbers.length === 0
      ? 'true'
      : `${quoted}::DOUBLE NOT IN (${numbers.map(numberLiteral).join(', ')})`;
  }
  if (type === 'BOOLEAN') {
    const booleans = allowed.filter(
      (value) => value === true || value === false || value === 'true' || value === 'false',
    );
    return booleans.length === 0
      ? 'true'
      : `${quoted} NOT IN (${booleans.map((value) => String(value)).join(', ')})`;
  }
  return `CAST(${quoted} AS VARCHAR) NOT IN (${allowed.map((value) => quoteLiteral(String(value))).join(', ')})`;
}

function valueCount(count: number): string {
  return `${count} value${count === 1 ? '' : 's'}`;
}

export function percent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))}%`;
}
