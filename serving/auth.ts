import { createHash, timingSafeEqual } from 'node:crypto';
import type { Database } from '../db/client.js';
import { listApiTokens, type ApiTokenScope } from '../db/queries/api-tokens.js';
import { HttpError } from './http-errors.js';

interface KnownToken {
  readonly name: string;
  readonly sha256: Buffer;
  readonly scopes: ReadonlySet<ApiTokenScope>;
  readonly revoked: boolean;
}

export interface Caller {
  /** The token's name, for logs. */
  readonly tokenName: string;
}

const CHALLENGE = 'Bearer realm="mlops"';

/**
 * Bearer-token authorization against the api_tokens table, held in memory (refreshed when a token
 * is created or revoked, announced on a NOTIFY channel, and every few seconds) so a request costs
 * one SHA-256 and no database round trip. The presented token's hash is compared with every known
 * hash in constant time, with no early exit, so response timing says nothing about stored hashes.
 */
export class TokenAuthority {
  private tokens: readonly KnownToken[] = [];

  constructor(private readonly db: Database) {}

  async refresh(): Promise<void> {
    const rows = await listApiTokens(this.db);
    this.tokens = rows.map((row) => ({
      name: row.name,
      sha256: Buffer.from(row.tokenSha256, 'hex'),
      scopes: new Set(row.scopes),
      revoked: row.revokedAt !== null,
    }));
  }

  /** The caller behind `authorization` if its token is active and has `scope` (admin has every scope). */
  authorize(authorization: string | undefined, scope: ApiTokenScope): Caller {
    const token = bearerToken(authorization);
    const presented = createHash('sha256').update(token, 'utf8').digest();
    let match: KnownToken | undefined;
    for (const known of this.tokens) {
      // Revoked tokens stay in the list so the error can say so; a revoked and a new token never share a hash.
      if (timingSafeEqual(known.sha256, presented) && match === undefined) match = known;
    }
    if (!match) throw unauthenticated('the bearer token is not valid', 'invalid_token');
    if (match.revoked)
      throw unauthenticated(`the token ${JSON.stringify(match.name)} was revoked`, 'invalid_token');
    if (!match.scopes.has(scope) && !match.scopes.has('admin')) {
      throw new HttpError(
        403,
        'forbidden',
        `the token ${JSON.stringify(match.name)} lacks the ${scope} scope (it has ${[...match.scopes].join(', ')})`,
        [],
        { 'www-authenticate': `${CHALLENGE}, error="insufficient_scope", scope="${scope}"` },
      );
    }
    return { tokenName: match.name };
  }
}

function bearerToken(authorization: string | undefined): string {
  if (authorization === undefined || authorization === '') {
    throw unauthenticated(
      'this route needs a bearer token: send "Authorization: Bearer <token>" (`mlops tokens create` makes one)',
    );
  }
  const match = /^Bearer[ ]+(\S+)[ ]*$/i.exec(authorization);
  if (!match) throw unauthenticated('the Authorization header must be "Bearer <token>"', 'invalid_request');
  return match[1];
}

function unauthenticated(message: string, error?: 'invalid_token' | 'invalid_request'): HttpError {
  return new HttpError(401, 'unauthenticated', message, [], {
    'www-authenticate': error ? `${CHALLENGE}, error="${error}"` : CHALLENGE,
  });
}
