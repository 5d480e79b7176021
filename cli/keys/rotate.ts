import { randomBytes } from 'node:crypto';
import type { Config } from '../../config/index.js';
import {
  checkPayloadKeyId,
  newPayloadKeyEntry,
  PayloadKeyError,
  withPayloadKeyFirst,
} from '../../config/payload-keys.js';
import { exitCodes, printJson, UsageError } from '../shared.js';
import { keyIdsOf, presentKeyIds, rewriteKeyFile } from './key-file.js';
import {
  expectKeyIds,
  recordKeyChange,
  restartAdvice,
  withAuditTrail,
  writableKeyFile,
} from './key-change.js';

export interface RotateOptions {
  readonly id?: string;
  readonly reason?: string;
  readonly json?: boolean;
}

/**
 * `mlops keys rotate [--id <id>]`: a new random key first in the key file, the old ones kept (they
 * still decrypt), and an audit event. Run again with the same `--id` once it encrypts, it writes
 * nothing and records the event only if an earlier run could not (the same event key).
 */
export async function keysRotateCommand(config: Config, options: RotateOptions): Promise<number> {
  const keyFile = writableKeyFile(config, 'rotate');
  const keyId = idFrom(options.id);
  const present = await presentKeyIds(keyFile);
  if (present) refuseTakenId(present, keyId, keyFile.file);
  return withAuditTrail(config, keyFile, async (db) => {
    let keyIdsBefore: string[] = [];
    const rewrite = await rewriteKeyFile(keyFile.file, (text) => {
      keyIdsBefore = keyIdsOf(text, keyFile.file);
      if (keyIdsBefore[0] === keyId) return undefined;
      refuseTakenId(keyIdsBefore, keyId, keyFile.file);
      const rotated = withPayloadKeyFirst(text, newPayloadKeyEntry(keyId));
      expectKeyIds(keyIdsOf(rotated, keyFile.file), [keyId, ...keyIdsBefore], keyFile.file);
      return rotated;
    });
    const keyIdsAfter = keyIdsOf(rewrite.after, keyFile.file);
    // A rotation only ever puts one key first, so what the file held before is the rest.
    if (!rewrite.written) keyIdsBefore = keyIdsAfter.slice(1);
    await recordKeyChange(db, {
      file: keyFile.file,
      action: 'rotate',
      keyId,
      keyIdsBefore,
      keyIdsAfter,
      reason: options.reason,
      ifUnrecorded: `run \`mlops keys rotate --id ${keyId}\` again to record it (it does not rotate twice)`,
    });
    const advice = restartAdvice(
      keyFile,
      `until it restarts a process encrypts with the old key and cannot read what restarted ones write under ${keyId}; payloads under the old keys still decrypt, so keep them listed while any history may hold them`,
    );
    if (options.json)
      printJson({
        file: keyFile.file,
        embedded: keyFile.embedded,
        keyId,
        rotated: rewrite.written,
        before: keyIdsBefore,
        after: keyIdsAfter,
        restartRequired: true,
      });
    else if (rewrite.written)
      process.stdout.write(
        `${keyFile.file}: key ${keyId} encrypts from now on (keys: ${keyIdsAfter.join(', ')})\n${advice}\n`,
      );
    else
      process.stdout.write(
        `${keyFile.file}: key ${keyId} already encrypts (an earlier rotation); its audit event is recorded\n${advice}\n`,
      );
    return exitCodes.ok;
  });
}

/** `--id` as given, else `key-<yyyymmdd>-<8 hex>`: the date tells people how old a key is. */
function idFrom(id: string | undefined): string {
  const chosen =
    id ??
    `key-${new Date().toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(4).toString('hex')}`;
  try {
    return checkPayloadKeyId(chosen);
  } catch (error) {
    if (error instanceof PayloadKeyError) throw new UsageError(`--id: ${error.message}`);
    throw error;
  }
}

/** An id already in the file names another key; only the one that already encrypts is a rerun. */
function refuseTakenId(keyIds: readonly string[], keyId: string, file: string): void {
  if (keyIds.includes(keyId) && keyIds[0] !== keyId)
    throw new UsageError(
      `key id ${JSON.stringify(keyId)} is already in ${file} (each id names one key): choose another --id, or leave --id out for a generated one`,
    );
}
