/**
 * Stage 3 (de-identify): a new Parquet file without the `drop` columns and with each `hash`
 * column replaced by the keyed HMAC-SHA256 of its values, computed inside DuckDB (see hmac.ts).
 * `hashed` columns already hold such hashes (production logs) and are kept as they are, once
 * every value is checked to look like one, so raw personal data never passes as hashed.
 * Output bytes are deterministic for a given input and key.
 */
import { describeColumns, type DuckDBOptions, queryRows, toCount, withDuckDB } from './duckdb.js';
import { DatasetInputError } from './errors.js';
import { hmacPads, hmacSql } from './hmac.js';
import { copyToParquet, parquetRelation, writeAtomically } from './parquet.js';
import { quoteIdentifier } from './sql.js';

export interface DeidentifyOptions extends DuckDBOptions {
  /** A Parquet snapshot. */
  readonly inputPath: string;
  readonly outputPath: string;
  readonly drop: readonly string[];
  readonly hash: readonly string[];
  /** Columns whose values are already keyed hashes (64 lowercase hex digits); kept unchanged. */
  readonly hashed?: readonly string[];
  /** The HMAC key; at least 16 bytes when `hash` names columns. */
  readonly key: Uint8Array;
}

export interface DeidentifyResult {
  readonly rows: number;
  readonly columns: readonly { name: string; type: string }[];
}

const minimumKeyBytes = 16;

export async function deidentifyDataset(options: DeidentifyOptions): Promise<DeidentifyResult> {
  const { inputPath, outputPath, drop, hash, key } = options;
  const hashed = options.hashed ?? [];
  if (hash.length > 0 && key.length < minimumKeyBytes) {
    throw new DatasetInputError(
      `the key for pii.hash has ${key.length} bytes; use at least ${minimumKeyBytes} (32 random bytes recommended)`,
    );
  }
  const both = hash.filter((name) => drop.includes(name));
  if (both.length > 0) {
    throw new DatasetInputError(
      `columns ${list(both)} are in both pii.drop and pii.hash; keep each in one of them`,
    );
  }
  return writeAtomically(outputPath, (partialPath) =>
    withDuckDB([inputPath, partialPath], options, async (connection) => {
      const input = parquetRelation(inputPath);
      const columns = await describeColumns(connection, input);
      const names = columns.map((column) => column.name);
      const missing = [...drop, ...hash, ...hashed].filter((name) => !names.includes(name));
      if (missing.length > 0) {
        throw new DatasetInputError(
          `pii names columns the dataset does not have: ${list(missing)}; its columns are ${list(names)}`,
        );
      }
      for (const name of hashed) {
        // Counted, never shown: a value that is not a hash may be the raw personal data itself.
        const [{ count }] = await queryRows(
          connection,
          `SELECT count(*) AS count FROM ${input} WHERE ${quoteIdentifier(name)} IS NOT NULL AND NOT regexp_full_match(CAST(${quoteIdentifier(name)} AS VARCHAR), '[0-9a-f]{64}')`,
        );
        if (toCount(count) > 0) {
          throw new DatasetInputError(
            `pii.hashed column ${JSON.stringify(name)} has ${toCount(count)} values that are not keyed hashes (64 lowercase hex digits); list it in pii.hash to hash them`,
          );
        }
      }
      const kept = columns.filter((column) => !drop.includes(column.name));
      if (kept.length === 0) throw new DatasetInputError('pii.drop removes every column; keep at least one');
      const selectList = kept.map(({ name }) =>
        hash.includes(name)
          ? `${hmacSql(quoteIdentifier(name), '$1', '$2')} AS ${quoteIdentifier(name)}`
          : quoteIdentifier(name),
      );
      const { innerPadHex, outerPadHex } = hmacPads(key);
      const pads = hash.length > 0 ? [innerPadHex, outerPadHex] : undefined;
      const rows = await copyToParquet(
        connection,
        `SELECT ${selectList.join(', ')} FROM ${input}`,
        partialPath,
        pads,
      );
      return { rows, columns: await describeColumns(connection, parquetRelation(partialPath)) };
    }),
  );
}

function list(names: readonly string[]): string {
  return names.map((name) => JSON.stringify(name)).join(', ');
}
