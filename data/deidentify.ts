/**
 * Stage 3 (de-identify): a new Parquet file without the `drop` columns and with each `hash`
 * column replaced by the keyed HMAC-SHA256 of its values, computed inside DuckDB (see hmac.ts).
 * Output bytes are deterministic for a given input and key.
 */
import { describeColumns, type DuckDBOptions, withDuckDB } from './duckdb.js';
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
      const missing = [...drop, ...hash].filter((name) => !names.includes(name));
      if (missing.length > 0) {
        throw new DatasetInputError(
          `pii names columns the dataset does not have: ${list(missing)}; its columns are ${list(names)}`,
        );
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
