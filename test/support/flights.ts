import { DuckDBInstance } from '@duckdb/node-api';
import type { Row } from './predictions.js';

/** Flights as a served flights model receives them (and their outcome), a seeded sample of a stretch of 2001. */
export async function flightRows(
  count: number,
  where = `"date" < timestamp '2001-06-01'`,
  seed = 7,
): Promise<Row[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(
      `select * from (
         select hour("date")::INTEGER as hour, dayofweek("date")::INTEGER as day_of_week, distance::DOUBLE as distance, origin, destination, delay > 15 as delayed
         from 'node_modules/vega-datasets/data/flights-3m.parquet' where ${where} and delay is not null
       ) using sample ${count} rows (reservoir, ${seed})`,
    );
    return reader.getRowObjectsJson() as Row[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
