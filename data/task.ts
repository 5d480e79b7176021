/** What kind of model a target asks for, and its classes, read from a snapshot. */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { TaskType } from '../spec/types.js';
import { describeColumns, type DuckDBOptions, queryRows, toCount, withDuckDB } from './duckdb.js';
import { DatasetInputError } from './errors.js';
import { parquetRelation } from './parquet.js';
import { isNumericType, quoteIdentifier } from './sql.js';

/** A numeric target with more distinct values than this (or any fraction) is a regression target. */
const maxClassesForNumericTarget = 20;

/**
 * Numeric targets: regression when a value is not an integer or there are more than 20 distinct
 * values; otherwise classification. Text and boolean targets: classification. Two distinct values
 * make it binary, more make it multiclass.
 */
export async function inferTask(
  snapshotPath: string,
  target: string,
  options: DuckDBOptions = {},
): Promise<TaskType> {
  return withDuckDB([snapshotPath], options, async (connection) => {
    const relation = parquetRelation(snapshotPath);
    const type = await targetType(connection, relation, target);
    const column = quoteIdentifier(target);
    const fractional = isNumericType(type)
      ? `count(*) FILTER (WHERE ${column}::DOUBLE <> floor(${column}::DOUBLE))`
      : '0';
    const [stats] = await queryRows(
      connection,
      `SELECT count(DISTINCT ${column}) AS "distinct", ${fractional} AS "fractional" FROM ${relation}`,
    );
    const distinct = toCount(stats.distinct);
    if (distinct < 2) {
      throw new DatasetInputError(
        `target column ${JSON.stringify(target)} has ${distinct} distinct non-null values; a model needs at least two`,
      );
    }
    if (isNumericType(type) && (toCount(stats.fractional) > 0 || distinct > maxClassesForNumericTarget))
      return 'regression';
    return distinct === 2 ? 'binary' : 'multiclass';
  });
}

/** The target's distinct non-null values as text, in the column's own order (numbers numerically). */
export async function targetClasses(
  snapshotPath: string,
  target: string,
  options: DuckDBOptions = {},
): Promise<string[]> {
  return withDuckDB([snapshotPath], options, async (connection) => {
    const relation = parquetRelation(snapshotPath);
    await targetType(connection, relation, target);
    const column = quoteIdentifier(target);
    const rows = await queryRows(
      connection,
      `SELECT CAST(${column} AS VARCHAR) AS "label" FROM ${relation} WHERE ${column} IS NOT NULL GROUP BY ${column} ORDER BY ${column}`,
    );
    return rows.map((row) => String(row.label));
  });
}

async function targetType(connection: DuckDBConnection, relation: string, target: string): Promise<string> {
  const columns = await describeColumns(connection, relation);
  const column = columns.find(({ name }) => name === target);
  if (!column) {
    throw new DatasetInputError(
      `target column ${JSON.stringify(target)} does not exist; the columns are ${columns.map(({ name }) => JSON.stringify(name)).join(', ')}`,
    );
  }
  return column.type;
}
