/**
 * Exact per-stratum bounds of a random split in two scans instead of a sort: a histogram of the
 * split hash's top 8 bits per stratum finds the bucket holding each bound, then only the rows of
 * those buckets (about 2/256 of the data) are read and sorted here. Bounds are the (k+1)-th
 * smallest hash of a stratum, k being the rows the parts before it take.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows, toCount } from './duckdb.js';
import { quoteIdentifier, quoteLiteral } from './sql.js';
import { hashColumn, hashLimit } from './split-hash.js';

export interface StratumBounds {
  readonly value: string | null;
  readonly rows: number;
  readonly testBelow: number;
  readonly validationBelow: number;
}

const bucketShift = 24;

export async function stratumBounds(
  connection: DuckDBConnection,
  hashedRowsSql: string,
  keySql: string,
  testFraction: number,
  validationFraction: number,
): Promise<StratumBounds[]> {
  const h = quoteIdentifier(hashColumn);
  const histogram = await queryRows(
    connection,
    `SELECT ${keySql} AS "stratum", ${h} >> ${bucketShift} AS "bucket", count(*) AS "rows" FROM ${hashedRowsSql} GROUP BY ALL`,
  );
  const strata = new Map<string | null, Map<number, number>>();
  for (const row of histogram) {
    const stratum = row.stratum === null ? null : String(row.stratum);
    const buckets = strata.get(stratum) ?? new Map<number, number>();
    buckets.set(toCount(row.bucket), toCount(row.rows));
    strata.set(stratum, buckets);
  }
  const wanted = [...strata].map(([value, buckets]) => {
    const rows = [...buckets.values()].reduce((total, count) => total + count, 0);
    const testRows = Math.round(rows * testFraction);
    const validationRows = Math.round(rows * validationFraction);
    return {
      value,
      rows,
      test: locate(buckets, testRows),
      validation: locate(buckets, testRows + validationRows),
    };
  });
  const hashes = await bucketHashes(connection, hashedRowsSql, keySql, wanted);
  const boundOf = (value: string | null, position: Position | null) =>
    position === null
      ? hashLimit
      : ((hashes.get(bucketKey(value, position.bucket)) ?? [])[position.rank] ?? hashLimit);
  return wanted
    .map(({ value, rows, test, validation }) => ({
      value,
      rows,
      testBelow: boundOf(value, test),
      validationBelow: boundOf(value, validation),
    }))
    .sort((left, right) => compareStrata(left.value, right.value));
}

/** Where the hash with `index` smaller ones in its stratum sits: its bucket and rank there. */
interface Position {
  readonly bucket: number;
  readonly rank: number;
}

function locate(buckets: ReadonlyMap<number, number>, index: number): Position | null {
  let before = 0;
  for (const bucket of [...buckets.keys()].sort((left, right) => left - right)) {
    const count = buckets.get(bucket) ?? 0;
    if (index < before + count) return { bucket, rank: index - before };
    before += count;
  }
  return null;
}

/** The sorted hashes of each (stratum, bucket) some bound falls in. */
async function bucketHashes(
  connection: DuckDBConnection,
  hashedRowsSql: string,
  keySql: string,
  wanted: readonly { value: string | null; test: Position | null; validation: Position | null }[],
): Promise<Map<string, number[]>> {
  const h = quoteIdentifier(hashColumn);
  const conditions = wanted.flatMap(({ value, test, validation }) => {
    const buckets = [
      ...new Set(
        [test, validation].filter((position) => position !== null).map((position) => position.bucket),
      ),
    ];
    if (buckets.length === 0) return [];
    const stratum = value === null ? `${keySql} IS NULL` : `${keySql} = ${quoteLiteral(value)}`;
    return [`(${stratum} AND ${h} >> ${bucketShift} IN (${buckets.join(', ')}))`];
  });
  const result = new Map<string, number[]>();
  if (conditions.length === 0) return result;
  const rows = await queryRows(
    connection,
    `SELECT ${keySql} AS "stratum", ${h} AS "hash" FROM ${hashedRowsSql} WHERE ${conditions.join(' OR ')}`,
  );
  for (const row of rows) {
    const hash = toCount(row.hash);
    const key = bucketKey(row.stratum === null ? null : String(row.stratum), hash >>> bucketShift);
    const list = result.get(key) ?? [];
    list.push(hash);
    result.set(key, list);
  }
  for (const list of result.values()) list.sort((left, right) => left - right);
  return result;
}

function bucketKey(value: string | null, bucket: number): string {
  return JSON.stringify([value, bucket]);
}

/** Null first, then by text: the order strata are listed in a definition. */
function compareStrata(left: string | null, right: string | null): number {
  if (left === right) return 0;
  if (left === null) return -1;
  if (right === null) return 1;
  return left < right ? -1 : 1;
}
