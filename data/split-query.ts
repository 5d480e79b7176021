/**
 * SQL that selects one part of a split straight from the snapshot: a filter, no copied rows.
 * Row order is the snapshot's (DuckDB preserves insertion order for filters and projections).
 */
import { DatasetInputError } from './errors.js';
import { parquetRelation } from './parquet.js';
import { quoteIdentifier, quoteLiteral } from './sql.js';
import type {
  RandomSplitDefinition,
  SplitDefinition,
  SplitPart,
  TimeSplitDefinition,
} from './split-definition.js';
import { hashColumn, hashedRowsSql, hashLimit, rowNumberColumn } from './split-hash.js';

/** The rows of one part, all snapshot columns or the ones named, in snapshot order. */
export function splitPartQuery(
  snapshotPath: string,
  definition: SplitDefinition,
  part: SplitPart,
  columns?: readonly string[],
): string {
  const where = `${partExpressionSql(definition)} = ${quoteLiteral(part)}`;
  const selected =
    columns !== undefined
      ? columns.map(quoteIdentifier).join(', ')
      : definition.strategy === 'time'
        ? '*'
        : `* EXCLUDE (${quoteIdentifier(rowNumberColumn)}, ${quoteIdentifier(hashColumn)})`;
  return `SELECT ${selected} FROM ${splitRelationSql(snapshotPath, definition)} WHERE ${where}`;
}

/**
 * A SQL expression naming each row's part ('train', 'validation' or 'test'), over the relation
 * splitRelationSql gives (which adds the split hash for random splits).
 */
export function partExpressionSql(definition: SplitDefinition): string {
  return definition.strategy === 'time' ? timePartSql(definition) : randomPartSql(definition);
}

/** The relation partExpressionSql reads: the snapshot, with the split hash for random splits. */
export function splitRelationSql(snapshotPath: string, definition: SplitDefinition): string {
  return definition.strategy === 'time'
    ? parquetRelation(snapshotPath)
    : hashedRowsSql(snapshotPath, definition.seed);
}

function randomPartSql(definition: RandomSplitDefinition): string {
  for (const stratum of definition.strata) {
    for (const bound of [stratum.testBelow, stratum.validationBelow]) {
      if (!Number.isInteger(bound) || bound < 0 || bound > hashLimit) {
        throw new DatasetInputError(`split definition has an invalid bound ${bound}; recompute the split`);
      }
    }
  }
  const h = quoteIdentifier(hashColumn);
  const test = boundSql(definition, 'testBelow');
  const validation = boundSql(definition, 'validationBelow');
  return `CASE WHEN ${h} < ${test} THEN 'test' WHEN ${h} < ${validation} THEN 'validation' ELSE 'train' END`;
}

/** A stratum's bound for the row's target value; rows of values the split never saw go to train. */
function boundSql(definition: RandomSplitDefinition, bound: 'testBelow' | 'validationBelow'): string {
  if (definition.stratifiedBy === null) return String(definition.strata[0]?.[bound] ?? 0);
  const key = `CAST(${quoteIdentifier(definition.stratifiedBy)} AS VARCHAR)`;
  const branches = definition.strata.map((stratum) =>
    stratum.value === null
      ? `WHEN ${key} IS NULL THEN ${stratum[bound]}`
      : `WHEN ${key} = ${quoteLiteral(stratum.value)} THEN ${stratum[bound]}`,
  );
  return `(CASE ${branches.join(' ')} ELSE 0 END)`;
}

/** Types a time column may have: numbers, dates and times, and text (ISO dates sort as text). */
const timeTypePattern =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL\(\d+,\s*\d+\)|DATE|TIME|TIMESTAMP(_S|_MS|_NS)?|TIMESTAMP WITH TIME ZONE|VARCHAR)$/;

export function isTimeType(type: string): boolean {
  return timeTypePattern.test(type);
}

function timePartSql(definition: TimeSplitDefinition): string {
  if (!isTimeType(definition.timeType)) {
    throw new DatasetInputError(
      `split definition has an unsupported time type ${definition.timeType}; recompute the split`,
    );
  }
  const time = quoteIdentifier(definition.timeColumn);
  const cutoff = (value: string) => `CAST(${quoteLiteral(value)} AS ${definition.timeType})`;
  const branches: string[] = [];
  if (definition.testFrom !== null)
    branches.push(`WHEN ${time} >= ${cutoff(definition.testFrom)} THEN 'test'`);
  if (definition.validationFrom !== null) {
    branches.push(`WHEN ${time} >= ${cutoff(definition.validationFrom)} THEN 'validation'`);
  }
  // A NULL time fails every comparison and falls through to train.
  return branches.length === 0 ? `'train'` : `CASE ${branches.join(' ')} ELSE 'train' END`;
}
