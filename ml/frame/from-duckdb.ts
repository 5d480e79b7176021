/**
 * Frames from @duckdb/node-api results, read chunk by chunk.
 *
 * ml/ must not load DuckDB, so these functions accept the shapes DuckDB's classes already have
 * (DuckDBMaterializedResult, DuckDBResult, DuckDBDataChunk) rather than the classes themselves.
 * Values arrive as DuckDB gives them: BIGINT as bigint, TIMESTAMP as DuckDBTimestampValue
 * (read as epoch milliseconds), VARCHAR as string, DECIMAL as DuckDBDecimalValue, NULL as null.
 * Cells are read straight from each chunk's vectors: no row objects and no per-chunk arrays.
 * Tip: cast to DOUBLE in SQL where you can; plain doubles are the cheapest cells to read.
 */
import { type Frame, FrameError } from './frame.js';
import { assertUniqueNames, ColumnAccumulator } from './column-accumulator.js';
import { checkTypeRequests, type FrameBuildOptions, typeRequestFor } from './options.js';

export interface DuckDBVectorLike {
  getItem(itemIndex: number): unknown;
}

export interface DuckDBChunkLike {
  readonly rowCount: number;
  readonly columnCount: number;
  getColumnVector(columnIndex: number): DuckDBVectorLike;
}

/** What DuckDBMaterializedResult (from `await connection.run(sql)`) offers. */
export interface DuckDBMaterializedResultLike {
  columnNames(): string[];
  readonly rowCount: number;
  readonly chunkCount: number;
  getChunk(chunkIndex: number): DuckDBChunkLike;
}

/** What every DuckDBResult offers, streaming ones (`connection.stream(sql)`) included. */
export interface DuckDBStreamingResultLike {
  columnNames(): string[];
  fetchChunk(): Promise<DuckDBChunkLike | null>;
}

/** Accumulates chunks into columns; one instance per result. */
export class DuckDBFrameBuilder {
  private readonly accumulators: ColumnAccumulator[];
  private rowCount = 0;

  constructor(
    private readonly columnNames: readonly string[],
    options: FrameBuildOptions = {},
    expectedRowCount = 2048,
  ) {
    assertUniqueNames(columnNames);
    checkTypeRequests(options, columnNames);
    this.accumulators = columnNames.map(
      (name) => new ColumnAccumulator(name, typeRequestFor(options, name), expectedRowCount),
    );
  }

  addChunk(chunk: DuckDBChunkLike): void {
    if (chunk.columnCount !== this.columnNames.length) {
      throw new FrameError(
        `a DuckDB chunk has ${chunk.columnCount} columns but the result names ${this.columnNames.length}`,
      );
    }
    const rows = chunk.rowCount;
    for (let column = 0; column < this.accumulators.length; column += 1) {
      const vector = chunk.getColumnVector(column);
      const accumulator = this.accumulators[column];
      for (let row = 0; row < rows; row += 1) accumulator.push(vector.getItem(row));
    }
    this.rowCount += rows;
  }

  finish(): Frame {
    return { rowCount: this.rowCount, columns: this.accumulators.map((accumulator) => accumulator.finish()) };
  }
}

/** A frame from a materialized result, e.g. `(await connection.run(sql))` or `reader.result`. */
export function frameFromDuckDBResult(
  result: DuckDBMaterializedResultLike,
  options: FrameBuildOptions = {},
): Frame {
  const builder = new DuckDBFrameBuilder(result.columnNames(), options, result.rowCount);
  for (let chunkIndex = 0; chunkIndex < result.chunkCount; chunkIndex += 1)
    builder.addChunk(result.getChunk(chunkIndex));
  return builder.finish();
}

/** A frame from any result, fetching one chunk at a time (bounded memory besides the frame itself). */
export async function frameFromDuckDBStream(
  result: DuckDBStreamingResultLike,
  options: FrameBuildOptions = {},
): Promise<Frame> {
  const builder = new DuckDBFrameBuilder(result.columnNames(), options);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    builder.addChunk(chunk);
  }
  return builder.finish();
}

/** A frame from column names and chunks gathered elsewhere (e.g. `result.fetchAllChunks()`). */
export function frameFromDuckDBChunks(
  columnNames: readonly string[],
  chunks: Iterable<DuckDBChunkLike>,
  options: FrameBuildOptions = {},
): Frame {
  const builder = new DuckDBFrameBuilder(columnNames, options);
  for (const chunk of chunks) builder.addChunk(chunk);
  return builder.finish();
}
