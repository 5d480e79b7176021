/**
 * Stage 2 (validate): the spec's expectations over a snapshot, every violation listed with its
 * count and example values. Runs after de-identification, so examples hold no raw PII.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { PipelineSpec } from '../spec/types.js';
import { describeColumns, type DuckDBOptions, queryRows, toCount, withDuckDB } from './duckdb.js';
import { parquetRelation } from './parquet.js';
import { quoteIdentifier } from './sql.js';
import { type ExpectationName, percent, type RowCheck, rowChecks } from './validation-checks.js';

export interface ValidationViolation {
  readonly expectation: ExpectationName;
  readonly column?: string;
  /** What is wrong and how to fix it; holds no data values, so examples can be redacted on their own. */
  readonly message: string;
  /** Failing rows (null rows for maxNullFraction); 0 for a missing column. */
  readonly count: number;
  /** Distinct failing values as text, first ones in row order. */
  readonly examples: readonly string[];
}

export interface ColumnStats {
  readonly type: string;
  readonly nulls: number;
  readonly nullFraction: number;
  /** Approximate distinct non-null values. */
  readonly distinct: number;
}

export interface ValidationReport {
  readonly passed: boolean;
  readonly rows: number;
  readonly violations: readonly ValidationViolation[];
  readonly columns: Readonly<Record<string, ColumnStats>>;
}

export interface ValidateOptions extends DuckDBOptions {
  readonly snapshotPath: string;
  readonly target: string;
  readonly expectations: PipelineSpec['validation'];
  readonly maxExamples?: number;
}

/** How many failing rows are read to find `maxExamples` distinct values. */
const exampleScanRows = 1000;

export async function validateDataset(options: ValidateOptions): Promise<ValidationReport> {
  const { snapshotPath, target, expectations } = options;
  const maxExamples = options.maxExamples ?? 5;
  return withDuckDB([snapshotPath], options, async (connection) => {
    const relation = parquetRelation(snapshotPath);
    const columns = await describeColumns(connection, relation);
    const typeOf = new Map(columns.map((column) => [column.name, column.type]));
    const violations: ValidationViolation[] = [];
    const checks: RowCheck[] = [];
    for (const [name, expectation] of Object.entries(expectations.columns)) {
      const type = typeOf.get(name);
      if (type === undefined) {
        violations.push({
          expectation: 'columnPresent',
          column: name,
          message: `validation.columns names ${JSON.stringify(name)}, which the dataset does not have; its columns are ${nameList(columns)}`,
          count: 0,
          examples: [],
        });
      } else checks.push(...rowChecks(name, type, expectation));
    }
    const targetType = typeOf.get(target);
    const aggregates = ['count(*) AS "rows"'];
    columns.forEach(({ name }, index) => {
      aggregates.push(`count(${quoteIdentifier(name)}) AS "present${index}"`);
      aggregates.push(`approx_count_distinct(${quoteIdentifier(name)}) AS "distinct${index}"`);
    });
    checks.forEach((check, index) =>
      aggregates.push(`count(*) FILTER (WHERE ${check.failing}) AS "failing${index}"`),
    );
    if (targetType !== undefined) {
      aggregates.push(
        `min(${quoteIdentifier(target)}) IS DISTINCT FROM max(${quoteIdentifier(target)}) AS "targetVaries"`,
      );
    }
    const [totals] = await queryRows(connection, `SELECT ${aggregates.join(', ')} FROM ${relation}`);
    const rows = toCount(totals.rows);
    const present = new Map(columns.map(({ name }, index) => [name, toCount(totals[`present${index}`])]));

    if (expectations.minRows !== undefined && rows < expectations.minRows) {
      violations.push({
        expectation: 'minRows',
        message: `the dataset has ${rows} rows; validation.minRows asks for at least ${expectations.minRows}`,
        count: rows,
        examples: [],
      });
    }
    for (const { name } of columns) {
      const own = Object.hasOwn(expectations.columns, name) ? expectations.columns[name] : undefined;
      const limit = own?.maxNullFraction ?? expectations.maxNullFraction;
      const nulls = rows - (present.get(name) ?? 0);
      if (limit !== undefined && rows > 0 && nulls / rows > limit) {
        violations.push({
          expectation: 'maxNullFraction',
          column: name,
          message:
            `column ${JSON.stringify(name)}: ${nulls} of ${rows} values (${percent(nulls / rows)}) are null; ` +
            `at most ${percent(limit)} may be (maxNullFraction). Fill or filter them in dataset.query, or raise the limit`,
          count: nulls,
          examples: [],
        });
      }
    }
    for (const [index, check] of checks.entries()) {
      const count = toCount(totals[`failing${index}`]);
      const nonNull = present.get(check.column) ?? 0;
      if (count === 0 || count <= check.allowedFraction * nonNull) continue;
      const examples = await failingExamples(connection, relation, check, maxExamples);
      violations.push({
        expectation: check.expectation,
        column: check.column,
        message: check.describe(count, nonNull),
        count,
        examples,
      });
    }
    violations.push(
      ...(await targetViolations(connection, relation, target, targetType, present, totals, columns)),
    );
    const columnStats = columns.map(({ name, type }, index): [string, ColumnStats] => {
      const nulls = rows - (present.get(name) ?? 0);
      const distinct = toCount(totals[`distinct${index}`]);
      return [name, { type, nulls, nullFraction: rows === 0 ? 0 : nulls / rows, distinct }];
    });
    return { passed: violations.length === 0, rows, violations, columns: Object.fromEntries(columnStats) };
  });
}

async function targetViolations(
  connection: DuckDBConnection,
  relation: string,
  target: string,
  targetType: string | undefined,
  present: ReadonlyMap<string, number>,
  totals: Record<string, unknown>,
  columns: readonly { name: string }[],
): Promise<ValidationViolation[]> {
  const label = `target column ${JSON.stringify(target)}`;
  if (targetType === undefined) {
    const message = `${label} does not exist; the dataset's columns are ${nameList(columns)}. Fix target or dataset.query`;
    return [{ expectation: 'targetPresent', column: target, message, count: 0, examples: [] }];
  }
  if ((present.get(target) ?? 0) === 0) {
    const message = `${label} is null in every row; check the column or dataset.query`;
    return [
      { expectation: 'targetNotNull', column: target, message, count: toCount(totals.rows), examples: [] },
    ];
  }
  if (totals.targetVaries === true) return [];
  const [{ value }] = await queryRows(
    connection,
    `SELECT CAST(${quoteIdentifier(target)} AS VARCHAR) AS "value" FROM ${relation} WHERE ${quoteIdentifier(target)} IS NOT NULL LIMIT 1`,
  );
  const message = `${label} has one value in every non-null row (see the example); a model needs at least two distinct values`;
  return [
    {
      expectation: 'targetNonConstant',
      column: target,
      message,
      count: present.get(target) ?? 0,
      examples: [String(value)],
    },
  ];
}

async function failingExamples(
  connection: DuckDBConnection,
  relation: string,
  check: RowCheck,
  maxExamples: number,
): Promise<string[]> {
  if (maxExamples <= 0) return [];
  const rows = await queryRows(
    connection,
    `SELECT CAST(${quoteIdentifier(check.column)} AS VARCHAR) AS "value" FROM ${relation} WHERE ${check.failing} LIMIT ${exampleScanRows}`,
  );
  return [...new Set(rows.map((row) => String(row.value)))].slice(0, maxExamples);
}

function nameList(columns: readonly { name: string }[]): string {
  const names = columns.map(({ name }) => JSON.stringify(name));
  return names.length <= 30
    ? names.join(', ')
    : `${names.slice(0, 30).join(', ')} and ${names.length - 30} more`;
}
