/**
 * One short-lived in-memory DuckDB per call, sandboxed to the files that call names.
 *
 * The spec's `dataset.query` is user SQL by design, so the database may touch only the files we
 * pass (external access off, configuration locked): a query cannot read /etc/passwd, write
 * elsewhere, attach databases or load extensions.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { quoteLiteral } from './sql.js';

export interface DuckDBOptions {
  /** Threads DuckDB may use (at least 2, see below); default: every core of the machine. */
  readonly threads?: number;
  /** DuckDB's memory limit, e.g. `'1GB'`; default: DuckDB's own (80% of RAM). */
  readonly memoryLimit?: string;
  /** Interrupts the running query when aborted; default: the one `interruptQueriesOn` gives. */
  readonly signal?: AbortSignal;
}

let ambientSignal: () => AbortSignal | undefined = () => undefined;

/**
 * Where withDuckDB finds the signal to interrupt on when its caller passes none: the worker sets
 * it to the running activity's cancellation, so a cancelled run's query stops at once instead of
 * keeping every core busy until it ends (DuckDB runs on its own threads, deaf to the event loop).
 */
export function interruptQueriesOn(signalOf: () => AbortSignal | undefined): void {
  ambientSignal = signalOf;
}

export async function withDuckDB<T>(
  allowedFiles: readonly string[],
  options: DuckDBOptions,
  work: (connection: DuckDBConnection) => Promise<T>,
): Promise<T> {
  const requested = options.threads ?? availableParallelism();
  if (!Number.isInteger(requested) || requested < 1) {
    throw new RangeError(`threads must be a positive integer, not ${requested}`);
  }
  const config: Record<string, string> = {
    // At least 2: with one thread DuckDB's COPY cuts row groups elsewhere than with several, and a
    // snapshot's bytes must not depend on the machine that wrote it.
    threads: String(Math.max(2, requested)),
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    // Results keep file order: snapshots stay byte-identical and parts keep row order.
    preserve_insertion_order: 'true',
  };
  if (options.memoryLimit !== undefined) config.memory_limit = options.memoryLimit;
  const signal = options.signal ?? ambientSignal();
  signal?.throwIfAborted();
  const instance = await DuckDBInstance.create(':memory:', config);
  try {
    const connection = await instance.connect();
    const interrupt = () => connection.interrupt();
    signal?.addEventListener('abort', interrupt, { once: true });
    try {
      const paths = allowedFiles.map((file) => quoteLiteral(resolve(file))).join(', ');
      await connection.run(`SET allowed_paths = [${paths}]`);
      await connection.run('SET enable_external_access = false');
      await connection.run('SET lock_configuration = true');
      return await work(connection);
    } catch (error) {
      // An interrupted query fails with DuckDB's "INTERRUPT Error"; the caller wants the reason.
      if (signal?.aborted) throw signal.reason;
      throw error;
    } finally {
      signal?.removeEventListener('abort', interrupt);
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** Rows of a query as plain objects; for small results only (statistics, examples). */
export async function queryRows(
  connection: DuckDBConnection,
  sql: string,
): Promise<Record<string, unknown>[]> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjects() as Record<string, unknown>[];
}

/** A BIGINT, HUGEINT, DOUBLE or DECIMAL cell as a JavaScript number (null stays null). */
export function toNumber(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return Number(String(value));
}

/** Like toNumber, for cells that are never null (counts). */
export function toCount(value: unknown): number {
  return toNumber(value) ?? 0;
}

/** The columns of a relation (file function, view or query) with their DuckDB types. */
export async function describeColumns(
  connection: DuckDBConnection,
  relationSql: string,
): Promise<{ name: string; type: string }[]> {
  const rows = await queryRows(connection, `DESCRIBE SELECT * FROM ${relationSql}`);
  return rows.map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
}
