/**
 * The per-row hash of a random split, in plain SQL arithmetic so that the split depends only on
 * the row number and the seed: not on DuckDB's internal hash(), which may change between versions.
 *
 * Two rounds of the `lowbias32` integer mixer (Chris Wellons' hash-prospector) around the
 * seed: a bijection on 32-bit numbers, so rows below 2^32 never collide and each part gets
 * exactly the row count its bounds select. Each step is its own projection; written as one
 * nested expression, the repeated sub-expressions would grow exponentially and be recomputed.
 */
import { DatasetInputError } from './errors.js';
import { quoteIdentifier, quoteLiteral } from './sql.js';

export const hashColumn = '__mlops_split_hash';
export const rowNumberColumn = 'file_row_number';
export const hashLimit = 4294967296;

/** lowbias32 as SQL steps over the column `h` (below 2^32, so each product fits UBIGINT). */
function mixerRound(h: string): string[] {
  return [
    `xor(${h}, ${h} >> 16)`,
    `(${h} * 2146121005::UBIGINT) % ${hashLimit}::UBIGINT`,
    `xor(${h}, ${h} >> 15)`,
    `(${h} * 2221713035::UBIGINT) % ${hashLimit}::UBIGINT`,
    `xor(${h}, ${h} >> 16)`,
  ];
}

/** The snapshot's rows with their row number and split hash as extra columns. */
export function hashedRowsSql(snapshotPath: string, seed: number): string {
  const h = quoteIdentifier(hashColumn);
  let relation =
    `(SELECT *, (${rowNumberColumn} % ${hashLimit})::UBIGINT AS ${h} ` +
    `FROM read_parquet(${quoteLiteral(snapshotPath)}, file_row_number = true))`;
  const steps = [...mixerRound(h), `xor(${h}, ${seedKey(seed)}::UBIGINT)`, ...mixerRound(h)];
  for (const step of steps) relation = `(SELECT * REPLACE (${step} AS ${h}) FROM ${relation})`;
  return relation;
}

/** The seed folded to 32 bits with the same mixer, so nearby seeds give unrelated splits. */
export function seedKey(seed: number): number {
  if (!Number.isSafeInteger(seed)) throw new DatasetInputError(`split.seed must be an integer, not ${seed}`);
  const bits = BigInt.asUintN(64, BigInt(seed));
  const low = Number(bits & 0xffffffffn);
  const high = Number(bits >> 32n);
  return lowbias32(low ^ lowbias32(high ^ 0x9e3779b9));
}

function lowbias32(value: number): number {
  let mixed = value >>> 0;
  mixed ^= mixed >>> 16;
  mixed = Math.imul(mixed, 0x7feb352d);
  mixed ^= mixed >>> 15;
  mixed = Math.imul(mixed, 0x846ca68b);
  mixed ^= mixed >>> 16;
  return mixed >>> 0;
}
