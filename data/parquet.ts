/**
 * Writing Parquet files whose bytes depend only on their content: the same rows give the same
 * file, so content-addressed snapshots deduplicate. DuckDB writes no timestamps, keeps row order
 * (preserve_insertion_order) and forms row groups the same way whatever its thread count.
 */
import { rename, rm } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DuckDBValue } from '@duckdb/node-api';
import { toCount } from './duckdb.js';
import { quoteLiteral } from './sql.js';

/** Fixed so that bytes never depend on DuckDB's defaults changing. */
// USE_TMP_FILE off: callers write to a partial path themselves, and DuckDB's own temporary name
// would fall outside the sandbox's allowed files.
const parquetWriteOptions =
  'FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 3, ROW_GROUP_SIZE 122880, USE_TMP_FILE false';

export function parquetRelation(path: string): string {
  return `read_parquet(${quoteLiteral(path)})`;
}

/**
 * Runs `write` against a partial path and gives the file its final name only once it succeeds, so a
 * killed or failed attempt leaves no half file at `outputPath` (a failed one leaves no file at all).
 */
export async function writeAtomically<T>(
  outputPath: string,
  write: (partialPath: string) => Promise<T>,
): Promise<T> {
  const partialPath = `${outputPath}.partial`;
  await rm(partialPath, { force: true });
  try {
    const result = await write(partialPath);
    await rename(partialPath, outputPath);
    return result;
  } catch (error) {
    await rm(partialPath, { force: true });
    throw error;
  }
}

/** Writes the rows of `selectSql` to `path` as Parquet and returns how many there were. */
export async function copyToParquet(
  connection: DuckDBConnection,
  selectSql: string,
  path: string,
  values?: DuckDBValue[],
): Promise<number> {
  // The newline keeps a trailing `-- comment` in user SQL from swallowing the closing parenthesis.
  const reader = await connection.runAndReadAll(
    `COPY (\n${selectSql}\n) TO ${quoteLiteral(path)} (${parquetWriteOptions})`,
    values,
  );
  return toCount(reader.getRows()[0]?.[0]);
}
