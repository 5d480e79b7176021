/** Reading a dataset file of a given format as DuckDB's table `data`, with clear errors for bad files. */
import { open, stat } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DatasetFormat } from '../spec/types.js';
import { describeColumns } from './duckdb.js';
import { DatasetInputError, duckDBMessage } from './errors.js';
import { parquetRelation } from './parquet.js';
import { quoteLiteral } from './sql.js';

const whitespaceProbeBytes = 64 * 1024;

/** Refuses a file with no bytes, or (for text formats) nothing but whitespace. */
export async function assertNotEmpty(path: string, format: DatasetFormat, label = path): Promise<void> {
  const { size } = await stat(path);
  if (size === 0)
    throw new DatasetInputError(
      `dataset file ${label} is empty (0 bytes); point dataset.uri at a file with data`,
    );
  if (format === 'parquet' || size > whitespaceProbeBytes) return;
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(size), 0, size, 0);
    if (buffer.subarray(0, bytesRead).toString('utf8').trim() === '') {
      throw new DatasetInputError(
        `dataset file ${label} holds only whitespace; point dataset.uri at a file with data`,
      );
    }
  } finally {
    await handle.close();
  }
}

/**
 * The DuckDB table function that reads the file. `wholeFileTypes` makes the CSV/JSON type
 * detection read every row instead of a sample (slower; used after a late value broke a type).
 * CSV: `skip=0` stops the sniffer from silently skipping leading lines it finds inconsistent.
 */
export function sourceRelationSql(format: DatasetFormat, path: string, wholeFileTypes = false): string {
  const sampling = wholeFileTypes ? ', sample_size = -1' : '';
  switch (format) {
    case 'csv':
      return `read_csv(${quoteLiteral(path)}, skip = 0${sampling})`;
    case 'json':
      return `read_json_auto(${quoteLiteral(path)}${sampling})`;
    case 'parquet':
      return parquetRelation(path);
  }
}

/** Creates (or replaces) the view `data` over the file; a file DuckDB cannot read is bad input. */
export async function createDataView(
  connection: DuckDBConnection,
  format: DatasetFormat,
  path: string,
  wholeFileTypes = false,
  /** How messages name the file (the dataset URI where the file is a fetched copy). */
  label = path,
): Promise<void> {
  const relation = sourceRelationSql(format, path, wholeFileTypes);
  try {
    await connection.run(`CREATE OR REPLACE VIEW data AS SELECT * FROM ${relation}`);
  } catch (error) {
    throw new DatasetInputError(
      `could not read ${label} as ${format.toUpperCase()}: ${duckDBMessage(error)}. ` +
        'Fix the file, or set dataset.format if it is not ' +
        format,
    );
  }
  if (format === 'csv') await assertConsistentCsvColumns(connection, label);
}

/**
 * DuckDB reads a CSV whose rows have different numbers of fields as one column holding whole
 * lines. A single column whose header holds a delimiter is that case, not real data.
 */
async function assertConsistentCsvColumns(connection: DuckDBConnection, label: string): Promise<void> {
  const columns = await describeColumns(connection, 'data');
  const header = columns.length === 1 ? columns[0].name : '';
  const delimiter = [',', ';', '\t', '|'].find((candidate) => header.includes(candidate));
  if (delimiter !== undefined) {
    throw new DatasetInputError(
      `could not parse ${label} as CSV: no delimiter splits every line into the same number of fields ` +
        `(the header ${JSON.stringify(header)} has ${header.split(delimiter).length} fields separated by ` +
        `${JSON.stringify(delimiter)}, but other lines have a different count). Make every line have as many ` +
        'fields as the header, quoting fields that contain the delimiter',
    );
  }
}

/** DuckDB fails with a conversion error when a value after the type-detection sample breaks a type. */
export function isLateTypeError(error: unknown): boolean {
  return error instanceof Error && /^Conversion Error|Could not convert/.test(error.message);
}
