/** What a frame is (frame.js), and its builders: from rows, from column arrays, from DuckDB results; and row selection. */
export * from './frame.js';
export { frameFromRows, type FrameFromRowsOptions } from './from-rows.js';
export { frameFromColumns, type NamedColumnValues } from './from-columns.js';
export {
  DuckDBFrameBuilder,
  frameFromDuckDBChunks,
  frameFromDuckDBResult,
  frameFromDuckDBStream,
  type DuckDBChunkLike,
  type DuckDBMaterializedResultLike,
  type DuckDBStreamingResultLike,
  type DuckDBVectorLike,
} from './from-duckdb.js';
export type { FrameBuildOptions } from './options.js';
export { sliceRows, takeRows } from './select-rows.js';
