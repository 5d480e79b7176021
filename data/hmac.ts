/**
 * Keyed HMAC-SHA256 computed inside DuckDB, so de-identifying millions of values needs no row
 * round-trip through JavaScript. HMAC(K, m) = SHA256((K0 ^ opad) || SHA256((K0 ^ ipad) || m)),
 * with K0 the key zero-padded (or first hashed, when longer than a block) to 64 bytes. The two
 * padded keys are computed here and bound as parameters: the key never appears in SQL text.
 */
import { createHash } from 'node:crypto';

const blockBytes = 64;

/** Hex of K0 ^ ipad and K0 ^ opad, the two constants of HMAC-SHA256 under `key`. */
export function hmacPads(key: Uint8Array): { innerPadHex: string; outerPadHex: string } {
  const block = Buffer.alloc(blockBytes);
  (key.length > blockBytes ? createHash('sha256').update(key).digest() : Buffer.from(key)).copy(block);
  const inner = Buffer.alloc(blockBytes);
  const outer = Buffer.alloc(blockBytes);
  for (let index = 0; index < blockBytes; index += 1) {
    inner[index] = block[index] ^ 0x36;
    outer[index] = block[index] ^ 0x5c;
  }
  return { innerPadHex: inner.toString('hex'), outerPadHex: outer.toString('hex') };
}

/**
 * SQL for the lowercase hex HMAC of a value's text (its CAST to VARCHAR, UTF-8 encoded); NULL
 * stays NULL. `innerPad` and `outerPad` are SQL for the hex pads, normally bound parameters.
 * `encode` (not a cast to BLOB) keeps backslash sequences in the text as the bytes they are.
 */
export function hmacSql(valueSql: string, innerPad: string, outerPad: string): string {
  const innerDigest = `sha256(unhex(${innerPad}) || encode(CAST(${valueSql} AS VARCHAR)))`;
  return `sha256(unhex(${outerPad}) || unhex(${innerDigest}))`;
}
