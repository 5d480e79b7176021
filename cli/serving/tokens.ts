import type { Config } from '../../config/index.js';
import { connectDatabase } from '../../db/client.js';
import { migrateDatabase } from '../../db/migrate.js';
import {
  ApiTokenError,
  checkTokenName,
  createApiToken,
  listApiTokens,
  parseScopes,
  revokeApiToken,
} from '../../db/queries/api-tokens.js';
import type { Database } from '../../db/client.js';
import { ensureStack } from '../../stack/launcher.js';
import { formatTimestamp, renderTable } from '../formatting.js';
import { cliActor, cliLogger, exitCodes, printJson, UsageError } from '../shared.js';

/** `mlops tokens create --name <n> --scopes predict,feedback`: prints the new token, once. */
export async function tokensCreateCommand(
  config: Config,
  options: { name: string; scopes: string; reason?: string; json?: boolean },
): Promise<number> {
  const scopes = usage(() => parseScopes(options.scopes));
  const name = usage(() => checkTokenName(options.name));
  return withDatabase(config, async (db) => {
    const { token, record } = await createApiToken(
      db,
      { name, scopes },
      { actor: cliActor(), reason: options.reason },
    ).catch(asUsageError);
    if (options.json)
      printJson({ name, scopes: record.scopes, token, createdAt: record.createdAt.toISOString() });
    else
      process.stdout.write(
        `${token}\n\ntoken ${name} (${record.scopes.join(', ')}): send it as "Authorization: Bearer <token>".\nIt is shown only now; \`mlops tokens revoke ${name}\` withdraws it.\n`,
      );
    return exitCodes.ok;
  });
}

/** `mlops tokens revoke <name>`: the token is refused from then on (exit 1 when there is none). */
export async function tokensRevokeCommand(
  config: Config,
  name: string,
  options: { reason?: string; json?: boolean },
): Promise<number> {
  return withDatabase(config, async (db) => {
    const revoked = await revokeApiToken(db, name, { actor: cliActor(), reason: options.reason });
    if (options.json) printJson({ name, revoked });
    else if (revoked) process.stdout.write(`token ${name} revoked\n`);
    else process.stderr.write(`mlops: no active token named ${name} (\`mlops tokens list\` shows them)\n`);
    return revoked ? exitCodes.ok : exitCodes.failed;
  });
}

/** `mlops tokens list`: names, scopes and dates; never the tokens (only their hashes are stored). */
export async function tokensListCommand(config: Config, options: { json?: boolean }): Promise<number> {
  return withDatabase(config, async (db) => {
    const tokens = await listApiTokens(db);
    const documents = tokens.map((token) => ({
      name: token.name,
      scopes: token.scopes,
      createdAt: token.createdAt.toISOString(),
      revokedAt: token.revokedAt?.toISOString() ?? null,
    }));
    if (options.json) printJson({ tokens: documents });
    else if (tokens.length === 0)
      process.stdout.write('no tokens yet: `mlops tokens create --name <name>` makes one\n');
    else
      process.stdout.write(
        `${renderTable(
          ['NAME', 'SCOPES', 'CREATED', 'REVOKED'],
          tokens.map((token) => [
            token.name,
            token.scopes.join(','),
            formatTimestamp(token.createdAt),
            formatTimestamp(token.revokedAt),
          ]),
        ).join('\n')}\n`,
      );
    return exitCodes.ok;
  });
}

async function withDatabase(config: Config, work: (db: Database) => Promise<number>): Promise<number> {
  const log = cliLogger(config, 'tokens');
  const stack = await ensureStack(config, (message) => log.info(message));
  const database = connectDatabase(stack.connections.databaseUrl, {
    maxConnections: 2,
    applicationName: 'mlops-cli',
  });
  try {
    await migrateDatabase(database.db);
    return await work(database.db);
  } finally {
    await database.close();
    await stack.stop();
  }
}

function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw asUsageError(error);
  }
}

function asUsageError(error: unknown): never {
  if (error instanceof ApiTokenError) throw new UsageError(error.message);
  throw error;
}
