import { DuckDBInstance } from '@duckdb/node-api';

const FLIGHTS = 'node_modules/vega-datasets/data/flights-3m.parquet';
const WEEK_MS = 7 * 24 * 3600 * 1000;

export interface Flight {
  /** When the flight departed (epoch ms, simulated time). */
  readonly at: number;
  /** What a client sends the model: the features, nothing else. */
  readonly instance: {
    hour: number;
    day_of_week: number;
    distance: number;
    origin: string;
    destination: string;
  };
  /** The truth, known later: delayed by more than 15 minutes. */
  readonly delayed: boolean;
}

export interface TrafficWeek {
  readonly index: number;
  readonly start: number;
  readonly end: number;
  readonly flights: readonly Flight[];
}

/**
 * Real traffic for the replay: a seeded sample of `perWeek` flights for each week from `from` to
 * `to` (by departure time, in time order), so every simulated week carries the same load.
 */
export async function loadTraffic(options: {
  from: string;
  to: string;
  perWeek: number;
  weeks?: number;
}): Promise<TrafficWeek[]> {
  const start = Date.parse(options.from);
  const end = Math.min(
    Date.parse(options.to),
    options.weeks ? start + options.weeks * WEEK_MS : Number.POSITIVE_INFINITY,
  );
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const weeks: TrafficWeek[] = [];
    for (let index = 0, weekStart = start; weekStart < end; index += 1, weekStart += WEEK_MS) {
      const weekEnd = Math.min(weekStart + WEEK_MS, end);
      const reader = await connection.runAndReadAll(`
        select * from (
          select * from (
            select epoch_ms("date")::DOUBLE as departed, hour("date")::INTEGER as hour, dayofweek("date")::INTEGER as day_of_week,
                   distance::DOUBLE as distance, origin, destination, delay > 15 as delayed
            from '${FLIGHTS}'
            where "date" >= make_timestamp(${weekStart * 1000}::BIGINT) and "date" < make_timestamp(${weekEnd * 1000}::BIGINT) and delay is not null
          ) using sample ${options.perWeek} rows (reservoir, ${42 + index})
        ) order by departed`);
      const flights = (reader.getRowObjectsJson() as Record<string, unknown>[]).map((row) => ({
        at: Number(row.departed),
        instance: {
          hour: Number(row.hour),
          day_of_week: Number(row.day_of_week),
          distance: Number(row.distance),
          origin: String(row.origin),
          destination: String(row.destination),
        },
        delayed: row.delayed === true,
      }));
      weeks.push({ index, start: weekStart, end: weekEnd, flights });
    }
    return weeks;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
