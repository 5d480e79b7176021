import type { Config } from '../../config/index.js';
import { auditKeys } from '../../contracts/audit-keys.js';
import { connectDatabase, type Database } from '../../db/client.js';
import { migrateDatabase } from '../../db/migrate.js';
import { recordAuditEvent } from '../../db/queries/audit.js';
import { ensureStack } from '../../stack/launcher.js';
import { cliActor, cliLogger, UsageError } from '../shared.js';
import { payloadKeySource, type KeyFile } from './key-file.js';

/** What `mlops keys rotate` and `retire` share: the file they may rewrite and the audit trail. */

/** The key file a change rewrites; refused (exit 2) when the keys come from elsewhere. */
export function writableKeyFile(config: Config, command: 'rotate' | 'retire'): KeyFile {
  const source = payloadKeySource(config);
  if (source.kind === 'file') return source;
  if (source.kind === 'environment')
    throw new UsageError(
      `the payload keys come from MLOPS_PAYLOAD_KEYS, an environment variable \`mlops keys ${command}\` cannot rewrite ` +
        `(nor audit an edit of): move them to a file, \`(umask 077; echo "$MLOPS_PAYLOAD_KEYS" | tr , '\\n' > payload-keys)\`, ` +
        'give every worker, client and codec server MLOPS_PAYLOAD_KEYS_FILE=<that file> instead of MLOPS_PAYLOAD_KEYS, and run this again',
    );
  throw new UsageError(
    `no payload keys are configured, so there is no key file to ${command}: make one, ` +
      '`(umask 077; echo "k1:$(openssl rand -base64 32)" > payload-keys)`, and give every worker, client and codec server ' +
      'MLOPS_PAYLOAD_KEYS_FILE=<that file>',
  );
}

/** A rewrite that would not leave exactly these ids is a bug: nothing is written then. */
export function expectKeyIds(actual: readonly string[], expected: readonly string[], file: string): void {
  if (actual.join(',') !== expected.join(','))
    throw new Error(
      `rewriting ${file} would leave keys ${actual.join(', ')} instead of ${expected.join(', ')}; nothing was written`,
    );
}

/**
 * Runs `work` with the platform's database (the embedded stack's when none is configured, started
 * for the command's duration as other commands do) opened and migrated first, so a database that
 * cannot be reached stops the command before the key file is touched.
 */
export async function withAuditTrail(
  config: Config,
  keyFile: KeyFile,
  work: (db: Database) => Promise<number>,
): Promise<number> {
  const log = cliLogger(config, 'keys');
  const stack = await ensureStack(config, (message) => log.info(message));
  const database = connectDatabase(stack.connections.databaseUrl, {
    maxConnections: 2,
    applicationName: 'mlops-cli',
  });
  try {
    await migrateDatabase(database.db).catch((error: unknown) => {
      throw new Error(
        `the audit trail's database cannot be opened (${error instanceof Error ? error.message : String(error)}), ` +
          `so ${keyFile.file} was not changed: key changes are recorded there; fix DATABASE_URL (unset: the embedded stack) and run this again`,
      );
    });
    return await work(database.db);
  } finally {
    await database.close();
    await stack.stop();
  }
}

export interface KeyChange {
  readonly file: string;
  readonly action: 'rotate' | 'retire';
  readonly keyId: string;
  readonly keyIdsBefore: readonly string[];
  readonly keyIdsAfter: readonly string[];
  readonly reason?: string;
  /** What to do when the event cannot be recorded after the file was rewritten. */
  readonly ifUnrecorded: string;
}

/** The change's audit event: who, why and the key ids before and after, never a key. */
export async function recordKeyChange(db: Database, change: KeyChange): Promise<void> {
  try {
    await recordAuditEvent(db, {
      eventKey: auditKeys.payloadKeyChange(change.file, change.action, change.keyId, change.keyIdsBefore),
      subjectKind: 'payload-keys',
      subject: change.file,
      action: change.action,
      actor: cliActor(),
      reason: change.reason,
      before: { keyIds: change.keyIdsBefore },
      after: { keyIds: change.keyIdsAfter },
    });
  } catch (error) {
    throw new Error(
      `${change.file} now holds keys ${change.keyIdsAfter.join(', ')}, but the audit event of this ${change.action} ` +
        `could not be recorded (${error instanceof Error ? error.message : String(error)}): ${change.ifUnrecorded}`,
    );
  }
}

/** Who must restart, and why, after the file changed. */
export function restartAdvice(keyFile: KeyFile, effect: string): string {
  const processes = keyFile.embedded
    ? 'the processes of this stack (`mlops up`, `mlops worker`, `mlops serve`, `mlops codec-server`)'
    : 'every worker, client and codec server (give each machine this same file first)';
  return `Restart ${processes}: each reads the keys when it starts, so ${effect}.`;
}
