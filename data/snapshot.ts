/**
 * Stage 1 (ingest): a dataset file plus the spec's optional query becomes an immutable Parquet
 * snapshot with its schema and profile. The query runs over the view `data` in a sandboxed DuckDB.
 */
import { type DuckDBConnection, StatementType } from '@duckdb/node-api';
import type { DatasetFormat } from '../spec/types.js';
import { describeColumns, type DuckDBOptions, queryRows, toCount, withDuckDB } from './duckdb.js';
import { DatasetInputError, duckDBMessage } from './errors.js';
import { copyToParquet, parquetRelation, writeAtomically } from './parquet.js';
import { computeProfile, type DatasetProfile } from './profile.js';
import { quoteLiteral } from './sql.js';
import { assertNotEmpty, createDataView, isLateTypeError } from './source.js';

export interface SnapshotOptions extends DuckDBOptions {
  readonly inputPath: string;
  /** How messages name the input (the dataset URI); default its path. A fetched copy's path is the worker's business. */
  readonly label?: string;
  readonly format: DatasetFormat;
  /** SQL over the view `data`; default `select * from data`. */
  readonly query?: string;
  readonly outputPath: string;
  /** Columns whose values must not appear in the profile (PII): only their counts are kept. */
  readonly redactedColumns?: readonly string[];
}

export interface SnapshotColumn {
  readonly name: string;
  /** DuckDB type, e.g. `DOUBLE`, `VARCHAR`, `TIMESTAMP`. */
  readonly type: string;
  /** Whether the column holds at least one NULL. */
  readonly nullable: boolean;
}

export interface SnapshotResult {
  readonly rows: number;
  readonly columns: readonly SnapshotColumn[];
  readonly profile: DatasetProfile;
}

const defaultQuery = 'select * from data';

export async function snapshotDataset(options: SnapshotOptions): Promise<SnapshotResult> {
  const { inputPath, format, outputPath } = options;
  const label = options.label ?? inputPath;
  await assertNotEmpty(inputPath, format, label);
  return writeAtomically(outputPath, (partialPath) =>
    withDuckDB([inputPath, partialPath], options, async (connection) => {
      await createDataView(connection, format, inputPath, false, label);
      const query = await checkedQuery(connection, options.query ?? defaultQuery);
      const rows = await writeSnapshot(connection, options, query, partialPath);
      if (rows === 0) await refuseEmptyResult(connection, options);
      const relation = parquetRelation(partialPath);
      const schema = await describeColumns(connection, relation);
      const profile = await computeProfile(
        connection,
        relation,
        schema,
        new Set(options.redactedColumns ?? []),
      );
      const columns = profile.columns.map(({ name, type, nulls }) => ({ name, type, nullable: nulls > 0 }));
      return { rows, columns, profile };
    }),
  );
}

/** The user's query if it is one SELECT that binds against `data`; otherwise a DatasetInputError. */
async function checkedQuery(connection: DuckDBConnection, query: string): Promise<string> {
  const trimmed = query.trim().replace(/;\s*$/, '');
  const fail = (problem: string) =>
    new DatasetInputError(
      `dataset.query ${problem}. The query runs over the table \`data\` (the dataset file)`,
    );
  if (trimmed === '') throw fail('is empty: write a SELECT over `data` or leave it out');
  let count: number;
  let statementType: StatementType;
  try {
    const statements = await connection.extractStatements(trimmed);
    count = statements.count;
    if (count !== 1) throw fail(`holds ${count} statements; write exactly one SELECT`);
    const prepared = await statements.prepare(0);
    statementType = prepared.statementType;
    prepared.destroySync();
  } catch (error) {
    if (error instanceof DatasetInputError) throw error;
    // The whole message: its LINE excerpt points into the user's own query.
    const message = error instanceof Error ? error.message.trim() : String(error);
    throw fail(`failed: ${message.replace(/^Failed to extract statements: /, '')}`);
  }
  // DuckDB prepares `PRAGMA x` as a SELECT over pragma_x(): a statement the user did not write as one.
  if (statementType !== StatementType.SELECT || /^pragma\b/i.test(trimmed))
    throw fail('must be a SELECT statement');
  const introspection = (await functionNames(connection, trimmed)).filter((name) =>
    introspectionFunction.test(name),
  );
  if (introspection.length > 0)
    throw fail(`calls ${[...new Set(introspection)].join(', ')}, which describe the worker, not the data`);
  return trimmed;
}

/**
 * DuckDB's own settings and catalog functions: the sandbox keeps files and the network out, but
 * these would still show the worker's paths and configuration (`allowed_paths`) in a dataset.
 */
const introspectionFunction = /^(duckdb_\w+|pragma_\w+|current_setting|getvariable|which_secret)$/i;

/** Every scalar and table function a query calls, from DuckDB's own parse tree. */
async function functionNames(connection: DuckDBConnection, query: string): Promise<string[]> {
  const [row] = await queryRows(connection, `SELECT json_serialize_sql(${quoteLiteral(query)}) AS tree`);
  return [...String(row.tree).matchAll(/"function_name":"((?:[^"\\]|\\.)*)"/g)].map((match) => match[1]);
}

async function writeSnapshot(
  connection: DuckDBConnection,
  options: SnapshotOptions,
  query: string,
  partialPath: string,
): Promise<number> {
  try {
    return await copyToParquet(connection, query, partialPath);
  } catch (error) {
    if (options.format === 'parquet' || !isLateTypeError(error)) throw readFailure(options, error);
  }
  // A value past the type-detection sample broke a detected type: detect types over the whole file.
  await createDataView(connection, options.format, options.inputPath, true, options.label);
  try {
    return await copyToParquet(connection, query, partialPath);
  } catch (error) {
    throw readFailure(options, error);
  }
}

function readFailure(options: SnapshotOptions, error: unknown): DatasetInputError {
  const where =
    options.query === undefined
      ? `reading ${options.label ?? options.inputPath}`
      : 'reading the dataset or running dataset.query';
  return new DatasetInputError(
    `${where} failed: ${duckDBMessage(error)}. Fix the file` +
      (options.query === undefined ? '' : ' or the query (it runs over the table `data`)'),
  );
}

async function refuseEmptyResult(connection: DuckDBConnection, options: SnapshotOptions): Promise<never> {
  if (options.query === undefined) {
    throw new DatasetInputError(
      `dataset file ${options.label ?? options.inputPath} has no data rows; point dataset.uri at a file with data`,
    );
  }
  const [{ rows }] = await queryRows(connection, 'SELECT count(*) AS "rows" FROM data');
  throw new DatasetInputError(
    toCount(rows) === 0
      ? `dataset file ${options.label ?? options.inputPath} has no data rows; point dataset.uri at a file with data`
      : `dataset.query returned no rows (the file has ${toCount(rows)}); loosen its WHERE clause. ` +
          'The query runs over the table `data`',
  );
}
