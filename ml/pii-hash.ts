/**
 * The keyed HMAC-SHA256 of one personal-data value, exactly as de-identification computes it in
 * DuckDB for a `pii.hash` column (data/hmac.ts): the lowercase hex HMAC, under the key's UTF-8
 * bytes, of the value's text encoded as UTF-8. The prediction server hashes a raw request value
 * with it before the model sees it or the prediction log stores it, so a model trained on hashed
 * values meets the same hash at serving (test/unit/pii-hash.test.ts checks the two agree).
 *
 * Serving takes strings only for a hashed input (the model's input type, since hashes are text):
 * training hashed the text DuckDB prints for a value, and for numbers that text depends on the
 * column's type (`5550100.0` in a DOUBLE column), which a request's JSON number cannot tell.
 */
import { createHmac } from 'node:crypto';

/** What the hash of a value looks like: 64 lowercase hex digits. */
export const PII_HASH_PATTERN = /^[0-9a-f]{64}$/;

/** The keyed HMAC-SHA256 (lowercase hex) of a value's text, as training's de-identification makes it. */
export function hashPiiText(key: string | Uint8Array, text: string): string {
  return createHmac('sha256', typeof key === 'string' ? Buffer.from(key, 'utf8') : key)
    .update(text, 'utf8')
    .digest('hex');
}
