import type { Config } from '../../config/index.js';
import { withoutPayloadKey } from '../../config/payload-keys.js';
import { exitCodes, printJson, UsageError } from '../shared.js';
import { keyIdsOf, presentKeyIds, rewriteKeyFile } from './key-file.js';
import {
  expectKeyIds,
  recordKeyChange,
  restartAdvice,
  withAuditTrail,
  writableKeyFile,
} from './key-change.js';

/**
 * `mlops keys retire <id>`: removes a key that no longer encrypts from the key file, with an audit
 * event. Its material is gone from then on: payloads still encrypted with it cannot be read by a
 * process started afterwards, which is why the encrypting key is refused.
 */
export async function keysRetireCommand(
  config: Config,
  keyId: string,
  options: { reason?: string; json?: boolean },
): Promise<number> {
  const keyFile = writableKeyFile(config, 'retire');
  const present = await presentKeyIds(keyFile);
  if (present) refuseRetiring(present, keyId, keyFile.file);
  return withAuditTrail(config, keyFile, async (db) => {
    let keyIdsBefore: string[] = [];
    const rewrite = await rewriteKeyFile(keyFile.file, (text) => {
      keyIdsBefore = keyIdsOf(text, keyFile.file);
      refuseRetiring(keyIdsBefore, keyId, keyFile.file);
      const retired = withoutPayloadKey(text, keyId);
      expectKeyIds(
        keyIdsOf(retired, keyFile.file),
        keyIdsBefore.filter((id) => id !== keyId),
        keyFile.file,
      );
      return retired;
    });
    const keyIdsAfter = keyIdsOf(rewrite.after, keyFile.file);
    await recordKeyChange(db, {
      file: keyFile.file,
      action: 'retire',
      keyId,
      keyIdsBefore,
      keyIdsAfter,
      reason: options.reason,
      ifUnrecorded: 'the retirement is missing from the audit trail',
    });
    if (options.json)
      printJson({ file: keyFile.file, keyId, retired: true, before: keyIdsBefore, after: keyIdsAfter });
    else
      process.stdout.write(
        `${keyFile.file}: key ${keyId} retired (keys: ${keyIdsAfter.join(', ')})\n${restartAdvice(
          keyFile,
          `processes not yet restarted still decrypt payloads under ${keyId}, and once all have, none can`,
        )}\n`,
      );
    return exitCodes.ok;
  });
}

function refuseRetiring(keyIds: readonly string[], keyId: string, file: string): void {
  if (!keyIds.includes(keyId))
    // An unknown key is a failure (exit 1), as an unknown model or run is; the rest is usage (2).
    throw new Error(`no key ${JSON.stringify(keyId)} in ${file} (\`mlops keys list\` shows its keys)`);
  if (keyIds[0] === keyId)
    throw new UsageError(
      `key ${JSON.stringify(keyId)} encrypts new payloads, so it cannot be retired: rotate first (\`mlops keys rotate\`), ` +
        `restart workers, clients and the codec server, and retire ${keyId} once no history holds payloads under it`,
    );
}
