import { open, readFile, realpath, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../config/index.js';
import { PayloadKeyError, payloadKeyIds } from '../../config/payload-keys.js';
import { payloadKeyFile } from '../../stack/payload-key-file.js';
import { UsageError } from '../shared.js';

/** Where this configuration's clients and workers take their payload keys from (codec/data-converter.ts). */
export type PayloadKeySource =
  | { readonly kind: 'environment' }
  | { readonly kind: 'file'; readonly file: string; readonly embedded: boolean }
  | { readonly kind: 'none' };

export function payloadKeySource(config: Config): PayloadKeySource {
  const configured = config.payloadKeys;
  if (configured && 'text' in configured) return { kind: 'environment' };
  if (configured) return { kind: 'file', file: configured.file, embedded: false };
  // Without TEMPORAL_ADDRESS every command uses the embedded stack, and with it the stack's own file.
  if (config.temporal.address === undefined)
    return { kind: 'file', file: payloadKeyFile(config.home), embedded: true };
  return { kind: 'none' };
}

export interface KeyFile {
  readonly file: string;
  /** The embedded stack's own file: it may not exist until the stack first starts. */
  readonly embedded: boolean;
}

/** The file's key ids when it exists (the embedded stack's may not yet); refusals come before any stack starts. */
export async function presentKeyIds(keyFile: KeyFile): Promise<string[] | undefined> {
  const text = await readFile(keyFile.file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (keyFile.embedded && error.code === 'ENOENT') return undefined;
    throw new UsageError(
      `payload keys file ${keyFile.file} cannot be read (${error.code ?? error.message}): fix MLOPS_PAYLOAD_KEYS_FILE`,
    );
  });
  return text === undefined ? undefined : keyIdsOf(text, keyFile.file);
}

/** A key file's ids in order; a malformed file is a usage error naming every problem (never a key). */
export function keyIdsOf(text: string, file: string): string[] {
  try {
    return payloadKeyIds(text, file);
  } catch (error) {
    if (error instanceof PayloadKeyError) throw new UsageError(error.message);
    throw error;
  }
}

export interface KeyFileRewrite {
  /** The file's text before; `after` is the same when the change had nothing to write. */
  readonly before: string;
  readonly after: string;
  readonly written: boolean;
}

/**
 * Rewrites a key file with `change` (which returns undefined when there is nothing to write, or
 * throws to refuse): the new text goes to a temporary file next to it (mode 0600, flushed to disk)
 * that is then renamed over it, so every reader sees the old keys or the new ones, never a part.
 * The temporary file is created exclusively before the file is read, which makes it a lock too:
 * two rotations at once cannot both read the old keys and one lose the other's key. A symlinked
 * file (a mounted secret) is rewritten where it points, so the link stays.
 */
export async function rewriteKeyFile(
  file: string,
  change: (text: string) => string | undefined,
): Promise<KeyFileRewrite> {
  const target = await realpath(file).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`payload keys file ${file} cannot be read (${error.code ?? error.message})`);
  });
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.rewrite`);
  let handle: FileHandle | undefined = await open(temporary, 'wx', 0o600).catch(
    (error: NodeJS.ErrnoException) => {
      throw new Error(
        error.code === 'EEXIST'
          ? `${temporary} exists: another \`mlops keys\` command is rewriting ${file}, or one was interrupted; if none is running, remove ${temporary} and try again`
          : `cannot write next to ${target} (${error.code ?? error.message}): the key file and its folder must be writable by this user; a key file mounted read-only (a secret) is rotated where it is managed`,
      );
    },
  );
  let renamed = false;
  try {
    const before = await readFile(target, 'utf8');
    const after = change(before);
    if (after === undefined) return { before, after: before, written: false };
    await handle.writeFile(after, 'utf8');
    // The umask may have narrowed the mode, never widened it; this states it whatever it was.
    await handle.chmod(0o600);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temporary, target);
    renamed = true;
    return { before, after, written: true };
  } finally {
    await handle?.close();
    if (!renamed) await rm(temporary, { force: true });
    else await syncFolder(path.dirname(target));
  }
}

/** The rename reaches the disk with its folder's entry; a platform that cannot sync folders skips it. */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r').catch(() => undefined);
  await handle?.sync().catch(() => undefined);
  await handle?.close();
}
