/**
 * Batch scoring's file work, through DuckDB: cutting a Parquet file into chunks in input order,
 * reading a chunk's features as a frame, and writing a scored chunk (the platform's columns, then
 * the input's) as Parquet. Chunks are scored in parallel by any worker; nothing here knows that.
 */
import type { Frame } from '../ml/frame/frame.js';
import { frameFromDuckDBStream } from '../ml/frame/index.js';
import type { FramePredictions } from '../ml/model/index.js';
import { type DuckDBOptions, describeColumns, queryRows, toCount, withDuckDB } from './duckdb.js';
import { DatasetInputError } from './errors.js';
import { copyToParquet, parquetRelation, writeAtomically } from './parquet.js';
import { quoteIdentifier, quoteLiteral } from './sql.js';

export async function parquetColumnNames(path: string, options: DuckDBOptions = {}): Promise<string[]> {
  return withDuckDB([path], options, async (connection) =>
    (await describeColumns(connection, parquetRelation(path))).map((column) => column.name),
  );
}

export async function parquetRowCount(path: string, options: DuckDBOptions = {}): Promise<number> {
  return withDuckDB([path], options, async (connection) => {
    const [{ count }] = await queryRows(connection, `SELECT count(*) AS count FROM ${parquetRelation(path)}`);
    return toCount(count);
  });
}

/** Rows [firstRow, firstRow + rows) of `path`, in file order, written to `outputPath`; returns how many. */
export async function cutParquetChunk(
  path: string,
  range: { readonly firstRow: number; readonly rows: number },
  outputPath: string,
  options: DuckDBOptions = {},
): Promise<number> {
  return writeAtomically(outputPath, (partialPath) =>
    withDuckDB([path, partialPath], options, (connection) =>
      copyToParquet(
        connection,
        // preserve_insertion_order keeps the scan in file order, so LIMIT/OFFSET cut it in input order.
        `SELECT * FROM ${parquetRelation(path)} LIMIT ${range.rows} OFFSET ${range.firstRow}`,
        partialPath,
      ),
    ),
  );
}

/** The named columns of a Parquet file as a frame (streamed: column arrays, no row objects). */
export async function loadParquetFrame(path: string, columns: readonly string[]): Promise<Frame> {
  return withDuckDB([path], {}, async (connection) => {
    const result = await connection.stream(
      `SELECT ${columns.map(quoteIdentifier).join(', ')} FROM ${parquetRelation(path)}`,
    );
    return frameFromDuckDBStream(result);
  });
}

/** A chunk's predictions: class indices and probabilities, or regression values. */
export type ChunkPredictions = FramePredictions;

/** The columns scoring adds, before the input's own. */
export function scoredColumnNames(predictions: ChunkPredictions): string[] {
  const probabilities =
    predictions.task === 'regression' ? [] : predictions.classes.map((label) => `probability_${label}`);
  return ['row_number', 'prediction_id', 'prediction', ...probabilities];
}

/**
 * The scored chunk: `row_number` (0-based, input order), `prediction_id` (`<prefix>` and the row
 * number as 12 hex digits: a UUID, unique per batch), `prediction` (the class label, or the value),
 * `probability_<class>` per class, then every column of the chunk. The same chunk and predictions
 * give the same bytes, so a retried chunk rewrites its part identically.
 */
export async function writeScoredParquet(options: {
  readonly chunkPath: string;
  readonly outputPath: string;
  readonly firstRow: number;
  readonly predictionIdPrefix: string;
  readonly predictions: ChunkPredictions;
}): Promise<number> {
  const { chunkPath, predictions } = options;
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-$/.test(options.predictionIdPrefix))
    throw new RangeError(
      `prediction id prefix ${options.predictionIdPrefix} is not the first 24 characters of a UUID`,
    );
  const added = scoredColumnNames(predictions);
  return writeAtomically(options.outputPath, (partialPath) =>
    withDuckDB([chunkPath, partialPath], {}, async (connection) => {
      const inputColumns = (await describeColumns(connection, parquetRelation(chunkPath))).map(
        (column) => column.name,
      );
      const clashing = inputColumns.filter((name) => added.includes(name));
      if (clashing.length > 0)
        throw new DatasetInputError(
          `the input has columns ${clashing.map((name) => JSON.stringify(name)).join(', ')}, which scoring adds; rename them`,
        );
      const classification = predictions.task !== 'regression';
      const probabilityColumns = classification ? predictions.classes.map((_, index) => `p${index}`) : [];
      await connection.run(
        `CREATE TEMP TABLE scored (${[
          'position BIGINT',
          classification ? 'class_index INTEGER' : 'value DOUBLE',
          ...probabilityColumns.map((name) => `${name} DOUBLE`),
        ].join(', ')})`,
      );
      const appender = await connection.createAppender('scored');
      const rows = classification ? predictions.classIndex.length : predictions.values.length;
      const classCount = classification ? predictions.classes.length : 0;
      for (let row = 0; row < rows; row += 1) {
        appender.appendBigInt(BigInt(options.firstRow + row));
        if (classification) {
          appender.appendInteger(predictions.classIndex[row]);
          for (let label = 0; label < classCount; label += 1)
            appender.appendDouble(predictions.probabilities[row * classCount + label]);
        } else appender.appendDouble(predictions.values[row]);
        appender.endRow();
      }
      appender.closeSync();
      const labels = classification ? `[${predictions.classes.map(quoteLiteral).join(', ')}]` : '';
      const selected = [
        `s.position AS row_number`,
        `printf('%s%012x', ${quoteLiteral(options.predictionIdPrefix)}, s.position) AS prediction_id`,
        classification ? `${labels}[s.class_index + 1] AS prediction` : 's.value AS prediction',
        ...probabilityColumns.map(
          (name, index) =>
            `s.${name} AS ${quoteIdentifier(`probability_${classification ? predictions.classes[index] : ''}`)}`,
        ),
        ...inputColumns.map((name) => `c.${quoteIdentifier(name)}`),
      ];
      return copyToParquet(
        connection,
        `SELECT ${selected.join(', ')} FROM scored s POSITIONAL JOIN ${parquetRelation(chunkPath)} c`,
        partialPath,
      );
    }),
  );
}

/** Rows of a Parquet file at the given positions (0-based, ascending), as JSON values. */
export async function parquetRowsAt(
  path: string,
  positions: readonly number[],
): Promise<Record<string, unknown>[]> {
  if (positions.length === 0) return [];
  return withDuckDB([path], {}, async (connection) => {
    const reader = await connection.runAndReadAll(
      `SELECT * EXCLUDE (file_row_number) FROM read_parquet(${quoteLiteral(path)}, file_row_number = true) ` +
        `WHERE file_row_number IN (${positions.map((position) => String(Math.trunc(position))).join(', ')}) ORDER BY file_row_number`,
    );
    // JSON-safe values (BIGINT as numbers or text, timestamps as ISO text): they are logged as JSONB.
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  });
}
