/** Per-column statistics of a snapshot, recorded with its dataset version. One scan plus one small query per text column. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows, toCount, toNumber } from './duckdb.js';
import { isNumericType, isTemporalType, isTextType, quoteIdentifier } from './sql.js';

export interface TopValue {
  readonly value: string;
  readonly count: number;
}

export interface ColumnProfile {
  readonly name: string;
  /** DuckDB type, e.g. `BIGINT`, `VARCHAR`, `TIMESTAMP`. */
  readonly type: string;
  readonly nulls: number;
  /** Distinct non-null values, approximate (HyperLogLog); absent for nested types. */
  readonly distinct?: number;
  /** Numbers for numeric columns, ISO-like text for dates and times. */
  readonly min?: number | string | null;
  readonly max?: number | string | null;
  readonly mean?: number | null;
  readonly stddev?: number | null;
  /** The most frequent values of text and boolean columns (ties by value); absent above maxTopValuesDistinct. */
  readonly topValues?: readonly TopValue[];
  /** Values were left out on purpose (a PII column): only counts are recorded. */
  readonly redacted?: boolean;
}

export interface DatasetProfile {
  readonly rows: number;
  readonly columns: readonly ColumnProfile[];
}

const topValuesCount = 5;
/** Above this many distinct values the most frequent ones say little and cost a large GROUP BY. */
const maxTopValuesDistinct = 10_000;

export async function computeProfile(
  connection: DuckDBConnection,
  relationSql: string,
  columns: readonly { name: string; type: string }[],
  redactedColumns: ReadonlySet<string> = new Set(),
): Promise<DatasetProfile> {
  const aggregates = ['count(*) AS "rows"'];
  columns.forEach(({ name, type }, index) => {
    const column = quoteIdentifier(name);
    aggregates.push(`count(*) - count(${column}) AS "nulls${index}"`);
    if (isNested(type)) return;
    aggregates.push(`approx_count_distinct(${column}) AS "distinct${index}"`);
    if (redactedColumns.has(name)) return;
    if (isNumericType(type)) {
      aggregates.push(
        `min(${column})::DOUBLE AS "min${index}"`,
        `max(${column})::DOUBLE AS "max${index}"`,
        `avg(${column}::DOUBLE) AS "mean${index}"`,
        `stddev_samp(${column}::DOUBLE) AS "stddev${index}"`,
      );
    } else if (isTemporalType(type)) {
      aggregates.push(
        `CAST(min(${column}) AS VARCHAR) AS "min${index}"`,
        `CAST(max(${column}) AS VARCHAR) AS "max${index}"`,
      );
    }
  });
  const [stats] = await queryRows(connection, `SELECT ${aggregates.join(', ')} FROM ${relationSql}`);
  const profiles: ColumnProfile[] = [];
  for (const [index, { name, type }] of columns.entries()) {
    const base = { name, type, nulls: toCount(stats[`nulls${index}`]) };
    if (isNested(type)) {
      profiles.push(base);
      continue;
    }
    const distinct = toCount(stats[`distinct${index}`]);
    if (redactedColumns.has(name)) profiles.push({ ...base, distinct, redacted: true });
    else if (isNumericType(type)) {
      profiles.push({
        ...base,
        distinct,
        min: finiteOrNull(stats[`min${index}`]),
        max: finiteOrNull(stats[`max${index}`]),
        mean: finiteOrNull(stats[`mean${index}`]),
        stddev: finiteOrNull(stats[`stddev${index}`]),
      });
    } else if (isTemporalType(type)) {
      profiles.push({
        ...base,
        distinct,
        min: textOrNull(stats[`min${index}`]),
        max: textOrNull(stats[`max${index}`]),
      });
    } else if ((isTextType(type) || type === 'BOOLEAN') && distinct <= maxTopValuesDistinct) {
      profiles.push({ ...base, distinct, topValues: await topValues(connection, relationSql, name) });
    } else profiles.push({ ...base, distinct });
  }
  return { rows: toCount(stats.rows), columns: profiles };
}

async function topValues(
  connection: DuckDBConnection,
  relationSql: string,
  name: string,
): Promise<TopValue[]> {
  const column = quoteIdentifier(name);
  const rows = await queryRows(
    connection,
    `SELECT CAST(${column} AS VARCHAR) AS "value", count(*) AS "count" FROM ${relationSql} ` +
      `WHERE ${column} IS NOT NULL GROUP BY ${column} ORDER BY "count" DESC, "value" LIMIT ${topValuesCount}`,
  );
  return rows.map((row) => ({ value: String(row.value), count: toCount(row.count) }));
}

function isNested(type: string): boolean {
  return type.endsWith(']') || /^(STRUCT|MAP|UNION)\b/.test(type);
}

function finiteOrNull(value: unknown): number | null {
  const number = toNumber(value);
  return number !== null && Number.isFinite(number) ? number : null;
}

function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}
