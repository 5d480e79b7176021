import { createHash, randomBytes } from 'node:crypto';
import { and, asc, eq, isNull } from 'drizzle-orm';
import { auditKeys } from '../../contracts/audit-keys.js';
import type { Database } from '../client.js';
import { apiTokens, apiTokenScope, type ApiTokenScope } from '../schema.js';
import { recordAuditEvent } from './audit.js';
import { announceApiTokensChange } from './serving.js';

export type ApiToken = typeof apiTokens.$inferSelect;
export { apiTokenScope, type ApiTokenScope };

/** Tokens look like `mlops_<43 base64url characters>`: 256 random bits, recognisable in a leak scan. */
export function generateApiToken(): string {
  return `mlops_${randomBytes(32).toString('base64url')}`;
}

/** The stored form of a token: its SHA-256, hex. The token itself is never stored. */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export class ApiTokenError extends Error {
  override readonly name = 'ApiTokenError';
}

/** Who changes a token and why, for the audit trail. */
export interface TokenChangeAudit {
  readonly actor: string;
  readonly reason?: string;
}

/** Callers that say nothing (fixtures, benchmarks) are recorded as the platform itself. */
const unnamedActor: TokenChangeAudit = { actor: 'platform' };

/** What the audit trail keeps of a token: never the token or its hash. */
function auditedToken(token: ApiToken) {
  return {
    id: token.id,
    name: token.name,
    scopes: token.scopes,
    createdAt: token.createdAt.toISOString(),
    revokedAt: token.revokedAt?.toISOString() ?? null,
  };
}

/**
 * Creates a token named `name` with `scopes` and returns it: the only time it can be read. A name
 * belongs to one active token; revoke the old one first to replace it.
 */
export async function createApiToken(
  db: Database,
  request: { readonly name: string; readonly scopes: readonly ApiTokenScope[] },
  audit: TokenChangeAudit = unnamedActor,
): Promise<{ token: string; record: ApiToken }> {
  checkTokenName(request.name);
  const token = generateApiToken();
  return db.transaction(async (transaction) => {
    const [record] = await transaction
      .insert(apiTokens)
      .values({ name: request.name, tokenSha256: hashApiToken(token), scopes: [...new Set(request.scopes)] })
      .onConflictDoNothing()
      .returning();
    if (!record) {
      throw new ApiTokenError(
        `an active token named ${JSON.stringify(request.name)} exists: revoke it (\`mlops tokens revoke ${request.name}\`) or choose another name`,
      );
    }
    await recordAuditEvent(transaction, {
      eventKey: auditKeys.token(record.id, 'create'),
      subjectKind: 'token',
      subject: record.name,
      action: 'token-create',
      actor: audit.actor,
      reason: audit.reason,
      before: null,
      after: auditedToken(record),
    });
    await announceApiTokensChange(transaction);
    return { token, record };
  });
}

/**
 * Revokes the active token named `name`; false when there is none (and nothing is audited).
 * Servers refuse it within moments.
 */
export async function revokeApiToken(
  db: Database,
  name: string,
  audit: TokenChangeAudit = unnamedActor,
): Promise<boolean> {
  return db.transaction(async (transaction) => {
    const revoked = await transaction
      .update(apiTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiTokens.name, name), isNull(apiTokens.revokedAt)))
      .returning();
    for (const token of revoked) {
      await recordAuditEvent(transaction, {
        eventKey: auditKeys.token(token.id, 'revoke'),
        subjectKind: 'token',
        subject: token.name,
        action: 'token-revoke',
        actor: audit.actor,
        reason: audit.reason,
        before: auditedToken({ ...token, revokedAt: null }),
        after: auditedToken(token),
      });
    }
    if (revoked.length > 0) await announceApiTokensChange(transaction);
    return revoked.length > 0;
  });
}

/** Every token, revoked ones included (a server tells "revoked" from "unknown"), oldest first. */
export async function listApiTokens(db: Database): Promise<ApiToken[]> {
  return db.select().from(apiTokens).orderBy(asc(apiTokens.createdAt), asc(apiTokens.id));
}

/** The active token with this hash, if any. */
export async function findActiveApiToken(db: Database, tokenSha256: string): Promise<ApiToken | undefined> {
  const [row] = await db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.tokenSha256, tokenSha256), isNull(apiTokens.revokedAt)));
  return row;
}

/** Names are what `mlops tokens revoke <name>` takes: short, no spaces or quotes. */
export function checkTokenName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name)) {
    throw new ApiTokenError(
      `token name ${JSON.stringify(name)} must be 1-100 letters, digits, dots, dashes or underscores, starting with a letter or digit`,
    );
  }
  return name;
}

/** `predict,feedback` → the scopes, or an error naming what is not a scope. */
export function parseScopes(text: string): ApiTokenScope[] {
  const scopes = text
    .split(',')
    .map((scope) => scope.trim())
    .filter(Boolean);
  const unknown = scopes.filter((scope) => !(apiTokenScope as readonly string[]).includes(scope));
  if (scopes.length === 0 || unknown.length > 0) {
    throw new ApiTokenError(
      `${unknown.length > 0 ? `not a scope: ${unknown.join(', ')}` : 'no scopes given'}; scopes are ${apiTokenScope.join(', ')} (admin implies the others)`,
    );
  }
  return scopes as ApiTokenScope[];
}
