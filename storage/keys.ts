/**
 * Artifact keys are built by the platform (`datasets/<name>/<sha256>.parquet`), never taken raw from
 * users, and checked here anyway: a key that could escape its prefix on a filesystem-backed store,
 * confuse a proxy that decodes URLs, or smuggle control characters into logs is refused with a
 * message that says what is wrong.
 */

export class UnsafeArtifactKeyError extends Error {
  override readonly name = 'UnsafeArtifactKeyError';
  constructor(
    readonly key: string,
    problem: string,
  ) {
    super(`unsafe artifact key ${JSON.stringify(key)}: ${problem}`);
  }
}

const MAX_KEY_BYTES = 1024;
const MAX_DECODE_ROUNDS = 4;
// S3's "safe characters" plus `/` as separator and `=` for partition-style names.
const SAFE_CHARACTERS = /^[A-Za-z0-9!_.*'()\-/=]+$/;

export function assertSafeArtifactKey(key: string): string {
  const problem = findKeyProblem(key);
  if (problem) throw new UnsafeArtifactKeyError(key, problem);
  return key;
}

function findKeyProblem(key: string): string | undefined {
  if (typeof key !== 'string' || key.length === 0) return 'it is empty';
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) return `it is longer than ${MAX_KEY_BYTES} bytes`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(key)) return 'it contains a NUL or control character';
  if (key.includes('\\')) return 'it contains a backslash; use / between segments';
  if (key.startsWith('/')) return 'it starts with /; keys are relative to the bucket';
  if (key.includes('%')) {
    const decoded = decodeRepeatedly(key);
    if (decoded === undefined) return 'it contains malformed percent-encoding; keys are plain text';
    if (hasTraversal(decoded))
      return `it hides a path traversal in percent-encoding (decodes to ${JSON.stringify(decoded)})`;
    return 'it contains percent-encoding; keys are plain text';
  }
  if (hasTraversal(key)) return 'it contains a "." or ".." segment (path traversal)';
  if (key.split('/').some((segment) => segment.length === 0))
    return 'it has an empty segment (// or a trailing /)';
  if (!SAFE_CHARACTERS.test(key)) {
    return "it contains characters outside letters, digits and ! _ . * ' ( ) - / =";
  }
  return undefined;
}

function hasTraversal(value: string): boolean {
  return value.split(/[/\\]/).some((segment) => segment === '..' || segment === '.') || value.startsWith('/');
}

/** Decodes %XX sequences until the value stops changing, so %252e%252e%252f is seen as ../ */
function decodeRepeatedly(value: string): string | undefined {
  let current = value;
  for (let round = 0; round < MAX_DECODE_ROUNDS; round += 1) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return undefined;
    }
    if (next === current) break;
    current = next;
  }
  return current;
}

/** One key segment from a platform-chosen name: keeps it readable, drops anything unsafe. */
export function keySegment(name: string): string {
  const cleaned = name
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[.-]+|[.-]+$/g, '')
    .slice(0, 120);
  if (cleaned.length === 0 || cleaned === '.' || cleaned === '..') {
    throw new UnsafeArtifactKeyError(name, 'the name has no letters or digits to build a key segment from');
  }
  return cleaned;
}
