/**
 * One part of a split, selected from the snapshot: loaded as an ml/ frame (streamed chunk by chunk
 * from DuckDB into column arrays: no per-row objects, so millions of rows cost their column arrays
 * and little more), or written to Parquet for a command trainer.
 */
import type { Frame } from '../ml/frame/frame.js';
import { type FrameBuildOptions, frameFromDuckDBStream } from '../ml/frame/index.js';
import { type DuckDBOptions, withDuckDB } from './duckdb.js';
import { copyToParquet, writeAtomically } from './parquet.js';
import type { SplitDefinition, SplitPart } from './split-definition.js';
import { splitPartQuery } from './split-query.js';

export interface LoadPartOptions extends DuckDBOptions {
  readonly snapshotPath: string;
  readonly definition: SplitDefinition;
  readonly part: SplitPart;
  /** Columns to load, in this order; default: every column of the snapshot. */
  readonly columns?: readonly string[];
  /** Columns to force to numeric or categorical (see ml/frame). */
  readonly frame?: FrameBuildOptions;
}

export async function loadPartFrame(options: LoadPartOptions): Promise<Frame> {
  const sql = splitPartQuery(options.snapshotPath, options.definition, options.part, options.columns);
  return withDuckDB([options.snapshotPath], options, async (connection) => {
    const result = await connection.stream(sql);
    return frameFromDuckDBStream(result, options.frame);
  });
}

/**
 * Writes one part of a split (the named columns, in order) to a Parquet file, for code outside
 * this process (a command trainer) to read; returns how many rows it holds.
 */
export async function exportPartParquet(
  options: LoadPartOptions & { readonly outputPath: string },
): Promise<number> {
  const sql = splitPartQuery(options.snapshotPath, options.definition, options.part, options.columns);
  return writeAtomically(options.outputPath, (partialPath) =>
    withDuckDB([options.snapshotPath, partialPath], options, (connection) =>
      copyToParquet(connection, sql, partialPath),
    ),
  );
}
