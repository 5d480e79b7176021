/** Shared fixtures for the data stage tests: temp folders, real datasets, and reading Parquet back. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

export const penguinsPath = resolve('node_modules/vega-datasets/data/penguins.json');
export const flightsPath = resolve('node_modules/vega-datasets/data/flights-3m.parquet');

export async function makeTempFolder(): Promise<{
  path: string;
  file(name: string, content?: string): Promise<string>;
  remove(): Promise<void>;
}> {
  const path = await mkdtemp(join(tmpdir(), 'mlops-data-test-'));
  return {
    path,
    async file(name, content) {
      const filePath = join(path, name);
      if (content !== undefined) await writeFile(filePath, content);
      return filePath;
    },
    remove: () => rm(path, { recursive: true, force: true }),
  };
}

/** Runs SQL in a plain DuckDB (no sandbox) and returns rows with BIGINTs as numbers. */
export async function querySql(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  try {
    const connection = await instance.connect();
    try {
      const rows = (await connection.runAndReadAll(sql)).getRowObjects();
      return rows.map((row) =>
        Object.fromEntries(
          Object.entries(row).map(([key, value]) => [key, typeof value === 'bigint' ? Number(value) : value]),
        ),
      );
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** Every 150th flight of flights-3m (20,000 rows spread over the whole period), as Parquet. */
export async function writeFlightsSample(path: string): Promise<void> {
  await querySql(
    `COPY (SELECT * FROM read_parquet('${flightsPath}', file_row_number = true) WHERE file_row_number % 150 = 0)
     TO '${path}' (FORMAT parquet)`,
  );
}
