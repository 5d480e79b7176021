import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../config/index.js';
import type { Logger } from '../../config/logger.js';
import { connectDatabase } from '../../db/client.js';
import { migrateDatabase } from '../../db/migrate.js';
import type { Database } from '../../db/client.js';
import {
  createApiToken,
  findActiveApiToken,
  hashApiToken,
  revokeApiToken,
} from '../../db/queries/api-tokens.js';
import { createServingServer, servingSettings } from '../../serving/index.js';
import { ArtifactStore } from '../../storage/artifact-store.js';
import { writeEnvFile } from '../../stack/env-file.js';
import type { Stack } from '../../stack/launcher.js';

export interface RunningServing {
  /** Where clients reach it (a wildcard listen address shown as loopback). */
  readonly url: string;
  readonly models: readonly string[];
  /** Set when this process made (or reused) the embedded stack's admin token. */
  readonly tokenFile: string | undefined;
  close(): Promise<void>;
}

/** The embedded stack's admin token is kept under this name (and in `<MLOPS_HOME>/api-token`). */
const EMBEDDED_TOKEN_NAME = 'embedded-admin';

/**
 * Starts the prediction server in this process against `stack`. When this process owns an embedded
 * stack with its own PostgreSQL, it also makes sure an admin token exists and writes it, with the
 * server's URL, into `.mlops/env` (MLOPS_SERVING_URL, MLOPS_API_TOKEN) for clients.
 */
export async function startServing(options: {
  readonly config: Config;
  readonly stack: Stack;
  readonly log: Logger;
  readonly port: number;
  readonly host: string;
}): Promise<RunningServing> {
  const { config, stack, log } = options;
  const database = connectDatabase(stack.connections.databaseUrl, { applicationName: 'mlops-serving' });
  const store = ArtifactStore.fromSettings(stack.connections.s3);
  const server = createServingServer({
    db: database.db,
    databaseUrl: stack.connections.databaseUrl,
    artifacts: store,
    log: log.child({ component: 'serving' }),
    settings: servingSettings(config),
    tracer: config.telemetry.tracing
      ? (await import('../../config/tracing.js')).activeTracing()?.tracer('mlops-serving')
      : undefined,
  });
  const release = async () => {
    await database.close();
    store.client.destroy();
  };
  try {
    await migrateDatabase(database.db);
    const bound = await server.listen(options.port, options.host);
    const url = bound.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:');
    let tokenFile: string | undefined;
    if (stack.owned && stack.embedded.postgres) {
      const admin = await ensureEmbeddedAdminToken(database.db, config.home);
      tokenFile = admin.file;
      await writeEnvFile(config.home, stack.connections, {
        MLOPS_SERVING_URL: url,
        MLOPS_API_TOKEN: admin.token,
      });
    }
    return {
      url,
      models: [...server.models.current.keys()],
      tokenFile,
      close: async () => {
        await server.close();
        await release();
      },
    };
  } catch (error) {
    await server.close();
    await release();
    throw error;
  }
}

/**
 * The embedded stack's admin token: the one saved in `<home>/api-token` while it is still active,
 * or a new one (replacing a lost or revoked one under the same name). Only its hash is in the
 * database, so the file (mode 0600) is the one place it can be read again.
 */
async function ensureEmbeddedAdminToken(
  db: Database,
  home: string,
): Promise<{ token: string; file: string; created: boolean }> {
  const file = path.join(home, 'api-token');
  const saved = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (saved && (await findActiveApiToken(db, hashApiToken(saved))))
    return { token: saved, file, created: false };
  const audit = {
    actor: 'embedded stack',
    reason: saved ? `the token saved in ${file} is no longer active` : `no token saved in ${file}`,
  };
  await revokeApiToken(db, EMBEDDED_TOKEN_NAME, audit);
  const { token } = await createApiToken(db, { name: EMBEDDED_TOKEN_NAME, scopes: ['admin'] }, audit);
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return { token, file, created: true };
}
