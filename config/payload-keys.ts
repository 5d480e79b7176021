import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * The keys payloads are encrypted with (codec/encryption-codec.ts). One format everywhere: entries
 * `id:base64key`, separated by commas (MLOPS_PAYLOAD_KEYS) or one per line (MLOPS_PAYLOAD_KEYS_FILE,
 * where blank lines and `#` comments are skipped). The first entry encrypts; every entry decrypts,
 * so a key is rotated by putting the new one first and keeping the old ones while histories that
 * need them exist.
 */
export interface PayloadKeyRing {
  /** The key new payloads are encrypted with. */
  readonly defaultKeyId: string;
  /** Every key that decrypts, by id; 32 bytes each (AES-256). */
  readonly keys: ReadonlyMap<string, Buffer>;
  /** Where the keys came from, for messages (`MLOPS_PAYLOAD_KEYS`, a file path). */
  readonly source: string;
}

export const PAYLOAD_KEY_BYTES = 32;
const keyIdPattern = /^[A-Za-z0-9._-]{1,64}$/;
const base64Pattern = /^[A-Za-z0-9+/_-]+={0,2}$/;
const howToMakeOne = 'make one with `echo "k1:$(openssl rand -base64 32)"`';

export class PayloadKeyError extends Error {
  override readonly name = 'PayloadKeyError';
}

/** The problems with a key list, each saying what is wrong and how to fix it; never the key material. */
export function payloadKeyProblems(text: string): string[] {
  const entries = splitEntries(text);
  if (entries.length === 0)
    return [`no keys: give one or more id:base64key entries, the first encrypts (${howToMakeOne})`];
  const problems: string[] = [];
  const seen = new Set<string>();
  entries.forEach((entry, index) => {
    const where = `entry ${index + 1}`;
    const colon = entry.indexOf(':');
    if (colon === -1) {
      problems.push(`${where} is not id:base64key (it has no ":"); ${howToMakeOne}`);
      return;
    }
    const id = entry.slice(0, colon).trim();
    const encoded = entry.slice(colon + 1).trim();
    if (!keyIdPattern.test(id)) {
      problems.push(`${where}: the key id must be 1-64 letters, digits, dots, dashes or underscores`);
      return;
    }
    if (seen.has(id)) problems.push(`key id ${JSON.stringify(id)} appears twice: each id names one key`);
    seen.add(id);
    if (!base64Pattern.test(encoded)) {
      problems.push(`key ${JSON.stringify(id)} is not base64; ${howToMakeOne}`);
      return;
    }
    const bytes = Buffer.from(encoded, 'base64').length;
    if (bytes !== PAYLOAD_KEY_BYTES)
      problems.push(
        `key ${JSON.stringify(id)} is ${bytes} bytes; AES-256 needs ${PAYLOAD_KEY_BYTES} (${howToMakeOne})`,
      );
  });
  return problems;
}

/** Parses a key list; a PayloadKeyError names `source` and every problem. */
export function parsePayloadKeys(text: string, source: string): PayloadKeyRing {
  const problems = payloadKeyProblems(text);
  if (problems.length > 0) throw new PayloadKeyError(`${source}: ${problems.join('; ')}`);
  const keys = new Map<string, Buffer>();
  for (const entry of splitEntries(text)) {
    const colon = entry.indexOf(':');
    keys.set(entry.slice(0, colon).trim(), Buffer.from(entry.slice(colon + 1).trim(), 'base64'));
  }
  return { defaultKeyId: keys.keys().next().value as string, keys, source };
}

export function readPayloadKeysFile(file: string): PayloadKeyRing {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PayloadKeyError(
      `payload keys file ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): fix MLOPS_PAYLOAD_KEYS_FILE`,
    );
  }
  return parsePayloadKeys(text, file);
}

/** A new random key as a key file line: `local-<8 hex>:<base64 of 32 bytes>`. */
export function newPayloadKeyLine(prefix = 'local'): string {
  return newPayloadKeyEntry(`${prefix}-${randomBytes(4).toString('hex')}`);
}

/** A new random key under `id` as an entry: `<id>:<base64 of 32 bytes>`. */
export function newPayloadKeyEntry(id: string): string {
  return `${checkPayloadKeyId(id)}:${randomBytes(PAYLOAD_KEY_BYTES).toString('base64')}`;
}

/** `id` if a key list accepts it as a key id (`mlops keys rotate --id`), else a PayloadKeyError. */
export function checkPayloadKeyId(id: string): string {
  if (!keyIdPattern.test(id))
    throw new PayloadKeyError(
      `${JSON.stringify(id)} is not a key id: use 1-64 letters, digits, dots, dashes or underscores`,
    );
  return id;
}

/**
 * Key file text with `entry` on a line of its own just before the first key, so it encrypts from
 * then on; every other line (the old keys, comments, blank lines, line endings) stays as it was.
 */
export function withPayloadKeyFirst(text: string, entry: string): string {
  const { lines, eol } = linesOf(text);
  const firstKey = lines.findIndex((line) => entriesOfLine(line).length > 0);
  // No key yet (a file of comments): the entry goes after them, before a final line break.
  const at = firstKey !== -1 ? firstKey : lines.at(-1) === '' ? lines.length - 1 : lines.length;
  lines.splice(at, 0, entry);
  return lines.join(eol);
}

/**
 * Key file text without the key `id`: its entry is removed from its line, and the line with it
 * when nothing but that entry was on it (a comment on that line is kept); the rest as it was.
 */
export function withoutPayloadKey(text: string, id: string): string {
  const { lines, eol } = linesOf(text);
  return lines
    .flatMap((line) => {
      const hash = line.indexOf('#');
      const comment = hash === -1 ? '' : line.slice(hash);
      const entries = (hash === -1 ? line : line.slice(0, hash)).split(',');
      const kept = entries.filter((entry) => entryId(entry) !== id);
      if (kept.length === entries.length) return [line];
      const rest = kept
        .map((entry) => entry.trim())
        .filter(Boolean)
        .join(',');
      if (rest === '') return comment === '' ? [] : [comment];
      return [comment === '' ? rest : `${rest} ${comment}`];
    })
    .join(eol);
}

/** The key ids of a key list in order (the first encrypts); a PayloadKeyError when it is malformed. */
export function payloadKeyIds(text: string, source: string): string[] {
  return [...parsePayloadKeys(text, source).keys.keys()];
}

/** Comments (`#` to the end of a line) first: they may hold commas. CRLF files (edited on Windows) too. */
function splitEntries(text: string): string[] {
  return text.split(/\r?\n/).flatMap(entriesOfLine);
}

function entriesOfLine(line: string): string[] {
  return line
    .replace(/#.*$/, '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

function entryId(entry: string): string | undefined {
  const colon = entry.indexOf(':');
  return colon === -1 ? undefined : entry.slice(0, colon).trim();
}

/** A file's lines and the line ending it uses, so a rewrite keeps a CRLF file CRLF. */
function linesOf(text: string): { lines: string[]; eol: string } {
  return { lines: text.split(/\r?\n/), eol: text.includes('\r\n') ? '\r\n' : '\n' };
}
