/**
 * Loading one part of a split as an ml/ frame, streamed chunk by chunk from DuckDB into column
 * arrays: no per-row objects, so millions of rows cost their column arrays and little more.
 */
import type { Frame } from '../ml/frame/frame.js';
import { type FrameBuildOptions, frameFromDuckDBStream } from '../ml/frame/index.js';
import { type DuckDBOptions, withDuckDB } from './duckdb.js';
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
