import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { newPayloadKeyLine, parsePayloadKeys } from '../config/payload-keys.js';

export const payloadKeyFile = (home: string) => path.join(home, 'payload-keys');

const header = [
  '# Payload encryption keys of the embedded stack (AES-256-GCM), made on its first start.',
  '# One id:base64key per line: the first encrypts, every one decrypts. Rotate with',
  '# `mlops keys rotate` (a new key first, the old ones kept, an audit event): the histories',
  "# under this folder can only be read with the old keys. Don't delete this file.",
];

/**
 * `<home>/payload-keys` (mode 0600): made with one random key when missing, validated when present.
 * It outlives the stack (the Temporal database under `<home>` keeps payloads encrypted with it), so
 * it is never removed on stop. Called under the stack lock, so two commands never both make one.
 */
export async function ensurePayloadKeyFile(home: string): Promise<string> {
  const file = payloadKeyFile(home);
  const existing = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (existing !== undefined) {
    parsePayloadKeys(existing, file);
    return file;
  }
  await writeFile(file, `${[...header, newPayloadKeyLine()].join('\n')}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(file, 0o600);
  return file;
}
