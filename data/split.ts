/**
 * Stage 4 (split): decides which rows of a snapshot are train, validation and test, and records
 * that as a SplitDefinition (see split-definition.ts). Deterministic: the same snapshot, strategy
 * and seed give the same definition; the rows themselves are never copied.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { describeColumns, type DuckDBOptions, queryRows, toCount, withDuckDB } from './duckdb.js';
import { DatasetInputError } from './errors.js';
import { parquetRelation } from './parquet.js';
import { quoteIdentifier, quoteLiteral } from './sql.js';
import {
  type PartCounts,
  type RandomSplitDefinition,
  type RandomSplitStratum,
  type SplitDefinition,
  type SplitPart,
  splitParts,
  type TimeSplitDefinition,
} from './split-definition.js';
import { stratumBounds } from './split-bounds.js';
import { hashColumn, hashedRowsSql, rowNumberColumn } from './split-hash.js';
import { isTimeType, partExpressionSql, splitRelationSql } from './split-query.js';

export interface SplitOptions extends DuckDBOptions {
  readonly snapshotPath: string;
  readonly strategy: 'random' | 'time';
  readonly testFraction: number;
  readonly validationFraction: number;
  readonly seed: number;
  /** Needed when `stratify` is true. */
  readonly target?: string;
  /** Keep the target's class proportions in every part (random splits of classification targets). */
  readonly stratify: boolean;
  /** Needed for the time strategy. */
  readonly timeColumn?: string;
  /** Time strategy: rows at or after this time are test (instead of the last `testFraction`). */
  readonly testFrom?: string;
  /** Time strategy: rows at or after this time (and before `testFrom`) are validation. */
  readonly validationFrom?: string;
}

/** More target values than this are not stratified on: the target is not a set of classes. */
const maxStrata = 100;

export async function computeSplit(options: SplitOptions): Promise<SplitDefinition> {
  const { testFraction, validationFraction } = options;
  if (!(testFraction >= 0 && validationFraction >= 0 && testFraction + validationFraction < 1)) {
    throw new DatasetInputError(
      `split fractions test ${testFraction} and validation ${validationFraction} must be at least 0 and leave rows to train on (sum below 1)`,
    );
  }
  return withDuckDB([options.snapshotPath], options, async (connection) => {
    const columns = await describeColumns(connection, parquetRelation(options.snapshotPath));
    const typeOf = new Map(columns.map((column) => [column.name, column.type]));
    const requireColumn = (name: string | undefined, role: string): string => {
      if (name !== undefined && typeOf.has(name)) return name;
      const known = columns.map((column) => JSON.stringify(column.name)).join(', ');
      throw new DatasetInputError(
        name === undefined
          ? `a ${role} is needed for this split`
          : `${role} ${JSON.stringify(name)} does not exist; the columns are ${known}`,
      );
    };
    for (const reserved of [rowNumberColumn, hashColumn]) {
      if (typeOf.has(reserved)) {
        throw new DatasetInputError(
          `the dataset has a column named ${JSON.stringify(reserved)}, which splitting reserves; rename it in dataset.query`,
        );
      }
    }
    if (options.strategy === 'time') {
      const timeColumn = requireColumn(options.timeColumn, 'split.timeColumn');
      return timeSplit(connection, options, timeColumn, typeOf.get(timeColumn) ?? '');
    }
    const target = options.stratify ? requireColumn(options.target, 'target column') : null;
    return randomSplit(connection, options, target);
  });
}

async function randomSplit(
  connection: DuckDBConnection,
  options: SplitOptions,
  target: string | null,
): Promise<RandomSplitDefinition> {
  const { snapshotPath, seed, testFraction, validationFraction } = options;
  let stratifiedBy = target;
  let note: string | undefined;
  if (target !== null) {
    const [{ values }] = await queryRows(
      connection,
      `SELECT count(DISTINCT ${quoteIdentifier(target)}) AS "values" FROM ${parquetRelation(snapshotPath)}`,
    );
    if (toCount(values) > maxStrata) {
      stratifiedBy = null;
      note = `not stratified: target ${JSON.stringify(target)} has ${toCount(values)} distinct values (more than ${maxStrata})`;
    }
  }
  const key = stratifiedBy === null ? 'NULL::VARCHAR' : `CAST(${quoteIdentifier(stratifiedBy)} AS VARCHAR)`;
  const hashed = hashedRowsSql(snapshotPath, seed);
  const bounds = await stratumBounds(connection, hashed, key, testFraction, validationFraction);
  const unCounted: RandomSplitDefinition = {
    version: 1,
    strategy: 'random',
    seed,
    testFraction,
    validationFraction,
    stratifiedBy,
    strata: bounds.map((stratum) => ({ ...stratum, ...emptyCounts() })),
    rows: 0,
    counts: { train: 0, validation: 0, test: 0 },
    ...(note === undefined ? {} : { note }),
  };
  // Counts come from the very expression parts are later selected with, so they cannot disagree.
  const counted = await countParts(connection, snapshotPath, unCounted, key);
  const strata = unCounted.strata.map((stratum): RandomSplitStratum => ({
    ...stratum,
    ...(counted.get(stratum.value) ?? emptyCounts()),
  }));
  return { ...unCounted, strata, rows: sumRows(strata), counts: sumCounts(strata) };
}

async function timeSplit(
  connection: DuckDBConnection,
  options: SplitOptions,
  timeColumn: string,
  timeType: string,
): Promise<TimeSplitDefinition> {
  if (!isTimeType(timeType)) {
    throw new DatasetInputError(
      `split.timeColumn ${JSON.stringify(timeColumn)} has type ${timeType}; a time split needs a date, timestamp, number or ISO-date text column`,
    );
  }
  const relation = parquetRelation(options.snapshotPath);
  const time = quoteIdentifier(timeColumn);
  const [stats] = await queryRows(
    connection,
    `SELECT count(*) AS "rows", count(${time}) AS "timed" FROM ${relation}`,
  );
  const timed = toCount(stats.timed);
  if (timed === 0)
    throw new DatasetInputError(`split.timeColumn ${JSON.stringify(timeColumn)} is null in every row`);
  await checkCutoffs(connection, options, timeType);
  const testRows = Math.round(timed * options.testFraction);
  const validationRows = Math.round(timed * options.validationFraction);
  // The cutoff of a part is the earliest time among the rows it takes from the end.
  const valueAt = async (offset: number): Promise<string> => {
    const [{ value }] = await queryRows(
      connection,
      `SELECT CAST(${time} AS VARCHAR) AS "value" FROM ${relation} WHERE ${time} IS NOT NULL ORDER BY ${time} LIMIT 1 OFFSET ${offset}`,
    );
    return String(value);
  };
  const definition: TimeSplitDefinition = {
    version: 1,
    strategy: 'time',
    timeColumn,
    timeType,
    testFraction: options.testFraction,
    validationFraction: options.validationFraction,
    testFrom: options.testFrom ?? (testRows > 0 ? await valueAt(timed - testRows) : null),
    validationFrom:
      options.validationFrom ??
      (validationRows > 0 ? await valueAt(timed - testRows - validationRows) : null),
    rowsWithoutTime: toCount(stats.rows) - timed,
    rows: toCount(stats.rows),
    counts: emptyCounts(),
  };
  const counted = await countParts(connection, options.snapshotPath, definition, 'NULL::VARCHAR');
  return { ...definition, counts: counted.get(null) ?? emptyCounts() };
}

/** Explicit cutoffs must read as the time column's type, and validation must start before test. */
async function checkCutoffs(
  connection: DuckDBConnection,
  options: SplitOptions,
  timeType: string,
): Promise<void> {
  for (const [name, value] of [
    ['split.testFrom', options.testFrom],
    ['split.validationFrom', options.validationFrom],
  ] as const) {
    if (value === undefined) continue;
    const [{ parsed }] = await queryRows(
      connection,
      `SELECT TRY_CAST(${quoteLiteral(value)} AS ${timeType}) AS "parsed"`,
    );
    if (parsed === null)
      throw new DatasetInputError(
        `${name} ${JSON.stringify(value)} is not a value of the time column's type ${timeType}`,
      );
  }
  if (options.testFrom !== undefined && options.validationFrom !== undefined) {
    const [{ ordered }] = await queryRows(
      connection,
      `SELECT CAST(${quoteLiteral(options.validationFrom)} AS ${timeType}) < CAST(${quoteLiteral(options.testFrom)} AS ${timeType}) AS "ordered"`,
    );
    if (ordered !== true)
      throw new DatasetInputError('split.validationFrom must be earlier than split.testFrom');
  }
}

/** Rows per part, per stratum key (`NULL::VARCHAR` for one overall count). */
async function countParts(
  connection: DuckDBConnection,
  snapshotPath: string,
  definition: SplitDefinition,
  key: string,
): Promise<Map<string | null, PartCounts>> {
  const rows = await queryRows(
    connection,
    `SELECT ${key} AS "stratum", ${partExpressionSql(definition)} AS "part", count(*) AS "rows"
     FROM ${splitRelationSql(snapshotPath, definition)} GROUP BY ALL`,
  );
  const counts = new Map<string | null, Record<SplitPart, number>>();
  for (const row of rows) {
    const stratum = row.stratum === null ? null : String(row.stratum);
    const entry = counts.get(stratum) ?? emptyCounts();
    entry[row.part as SplitPart] = toCount(row.rows);
    counts.set(stratum, entry);
  }
  return counts;
}

function emptyCounts(): Record<SplitPart, number> {
  return { train: 0, validation: 0, test: 0 };
}

function sumRows(strata: readonly RandomSplitStratum[]): number {
  return strata.reduce((total, stratum) => total + stratum.rows, 0);
}

function sumCounts(strata: readonly PartCounts[]): PartCounts {
  const total = emptyCounts();
  for (const stratum of strata) for (const part of splitParts) total[part] += stratum[part];
  return total;
}
