import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PayloadCodec } from '@temporalio/common';
import type { Logger } from '../config/logger.js';
import type { Caller, TokenAuthority } from '../serving/auth.js';
import { HttpError } from '../serving/http-errors.js';
import { PayloadDecryptionError } from './encryption-codec.js';
import { payloadsFromJson, payloadsToJson } from './payload-json.js';
import { signedInPage, signInPage } from './sign-in-page.js';

export interface CodecServerOptions {
  readonly codec: PayloadCodec;
  /** The serving API's bearer tokens (api_tokens): an `admin` token may encode and decode. */
  readonly auth: TokenAuthority;
  /** Browser origins (Temporal UIs) allowed to call it; requests from other origins get 403. */
  readonly allowedOrigins: readonly string[];
  readonly log: Logger;
  /** How often tokens are re-read, so a revoked one stops working within this long. */
  readonly tokenRefreshMs?: number;
}

export interface CodecServer {
  /** Loads the tokens, then listens; resolves with the base URL. */
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

/** The browser keeps the token in this cookie after the sign-in page (`GET /`). */
export const TOKEN_COOKIE = 'mlops_codec_token';
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const SCOPE = 'admin';

/**
 * Temporal's codec server protocol (`POST …/encode`, `POST …/decode`, only the last path segment
 * counts) over this platform's payload codec, for the Temporal UI and CLI. Decoding shows every
 * payload in plain text, so each request needs an admin bearer token: in the Authorization header
 * (the temporal CLI's `--codec-auth`, scripts) or, for a browser, in an HttpOnly cookie that the
 * sign-in page at `/` sets and the UI sends with "Include cross-origin credentials" (the UI's own
 * "pass access token" sends its OIDC token, which this server does not know). CORS answers the
 * allowed UI origins only, and a request that names any other origin is refused before anything
 * else, so a foreign page cannot spend the cookie.
 */
export function createCodecServer(options: CodecServerOptions): CodecServer {
  const { codec, auth, log } = options;
  const allowed = new Set(options.allowedOrigins.map((origin) => origin.replace(/\/+$/, '')));
  let lastRefresh = 0;
  const refresh = async () => {
    lastRefresh = Date.now();
    await auth.refresh();
  };

  /** The caller, re-reading tokens once when one is unknown (it may have been made a moment ago). */
  const authorize = async (authorization: string | undefined): Promise<Caller> => {
    try {
      return auth.authorize(authorization, SCOPE);
    } catch (error) {
      const unknownToken =
        error instanceof HttpError && error.headers['www-authenticate']?.includes('invalid_token');
      if (!unknownToken || Date.now() - lastRefresh < 1000) throw error;
      await refresh();
      return auth.authorize(authorization, SCOPE);
    }
  };

  const route = async (request: http.IncomingMessage, url: URL): Promise<Reply> => {
    const method = request.method ?? 'GET';
    if (url.pathname === '/healthz' && method === 'GET') return json(200, { status: 'ok' });
    if (url.pathname === '/' && method === 'GET') return html(200, signInPage(publicBase(request)));
    if (url.pathname === '/login' && method === 'POST') {
      const form = new URLSearchParams((await readBody(request)).toString('utf8'));
      const token = form.get('token')?.trim() ?? '';
      const caller = await authorize(`Bearer ${token}`);
      return {
        ...html(200, signedInPage(caller.tokenName, publicBase(request))),
        headers: { 'set-cookie': tokenCookie(token, isHttps(request)) },
      };
    }
    const operation = url.pathname.replace(/\/+$/, '').split('/').pop();
    if (operation !== 'encode' && operation !== 'decode')
      throw new HttpError(404, 'not_found', 'no such route');
    if (method !== 'POST')
      throw new HttpError(405, 'method_not_allowed', `${url.pathname} takes POST`, [], { allow: 'POST' });
    const caller = await authorize(request.headers.authorization ?? cookieToken(request.headers.cookie));
    let body: unknown;
    try {
      body = JSON.parse((await readBody(request)).toString('utf8'));
    } catch (error) {
      if (error instanceof HttpError) throw error;
      throw new HttpError(400, 'invalid_json', `the body is not JSON: ${(error as Error).message}`);
    }
    const payloads = payloadsFromJson(body);
    if (typeof payloads === 'string') throw new HttpError(400, 'invalid_request', payloads);
    const result = operation === 'encode' ? await codec.encode(payloads) : await codec.decode(payloads);
    log.debug({ token: caller.tokenName, operation, payloads: payloads.length }, 'codec request');
    return json(200, payloadsToJson(result));
  };

  const handle = async (request: http.IncomingMessage, response: http.ServerResponse) => {
    const origin = request.headers.origin;
    const cors = origin && allowed.has(origin) ? corsHeaders(origin) : {};
    let reply: Reply;
    try {
      // Its own sign-in form posts from its own origin; any other page must be an allowed UI.
      if (origin && !allowed.has(origin) && origin !== publicBase(request)) {
        throw new HttpError(
          403,
          'forbidden',
          `the origin ${origin} may not call this codec server: add it to MLOPS_CODEC_ORIGINS`,
        );
      }
      const url = new URL(request.url ?? '/', 'http://codec.invalid');
      reply =
        request.method === 'OPTIONS' ? { status: 204, headers: preflightHeaders } : await route(request, url);
    } catch (error) {
      const failure = asHttpError(error, log);
      reply = { ...json(failure.status, failure.body()), headers: failure.headers };
    }
    response.writeHead(reply.status, {
      ...cors,
      ...(reply.contentType ? { 'content-type': reply.contentType } : {}),
      'cache-control': 'no-store',
      ...reply.headers,
    });
    response.end(reply.body);
  };

  const server = http.createServer({ requestTimeout: 60_000 }, (request, response) => {
    void handle(request, response);
  });
  let timer: NodeJS.Timeout | undefined;
  return {
    async listen(port, host) {
      await refresh();
      timer = setInterval(
        () =>
          void refresh().catch((error: unknown) =>
            log.warn({ err: error }, 'codec server: reading tokens failed'),
          ),
        options.tokenRefreshMs ?? 5000,
      );
      timer.unref();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      const address = server.address() as AddressInfo;
      const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `http://${shown}:${address.port}`;
    },
    async close() {
      if (timer) clearInterval(timer);
      if (!server.listening) return;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Reply {
  readonly status: number;
  readonly body?: string;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

const json = (status: number, value: unknown): Reply => ({
  status,
  body: JSON.stringify(value),
  contentType: 'application/json',
});
const html = (status: number, text: string): Reply => ({
  status,
  body: text,
  contentType: 'text/html; charset=utf-8',
});

const corsHeaders = (origin: string) => ({
  'access-control-allow-origin': origin,
  'access-control-allow-credentials': 'true',
  vary: 'Origin',
});
const preflightHeaders = {
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-allow-headers': 'authorization, content-type, x-namespace',
  'access-control-max-age': '600',
};

function asHttpError(error: unknown, log: Logger): HttpError {
  if (error instanceof HttpError) return error;
  // A payload this server's keys cannot open: the request was fine, the keys are not.
  if (error instanceof PayloadDecryptionError) return new HttpError(422, 'invalid_input', error.message);
  log.error({ err: error }, 'codec server: a request failed unexpectedly');
  return new HttpError(500, 'internal', 'the codec server failed to answer; its log has the details');
}

function readBody(request: http.IncomingMessage): Promise<Buffer> {
  if (Number(request.headers['content-length']) > MAX_BODY_BYTES) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    request.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > MAX_BODY_BYTES) {
        request.removeAllListeners('data');
        reject(tooLarge());
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

const tooLarge = () =>
  new HttpError(
    413,
    'body_too_large',
    `the body is larger than ${MAX_BODY_BYTES} bytes: send fewer payloads`,
    [],
    {
      connection: 'close',
    },
  );

function cookieToken(cookie: string | undefined): string | undefined {
  const value = cookie
    ?.split(';')
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${TOKEN_COOKIE}=`))
    ?.slice(TOKEN_COOKIE.length + 1);
  return value ? `Bearer ${decodeURIComponent(value)}` : undefined;
}

/**
 * Same-site UIs (the embedded one: same host, another port) get a Strict cookie; over HTTPS it is
 * `SameSite=None; Secure`, so a UI on another site (Temporal Cloud's) can send it too.
 */
function tokenCookie(token: string, https: boolean): string {
  const base = `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; Path=/; Max-Age=43200`;
  return https ? `${base}; SameSite=None; Secure` : `${base}; SameSite=Strict`;
}

function isHttps(request: http.IncomingMessage): boolean {
  return request.headers['x-forwarded-proto'] === 'https';
}

function publicBase(request: http.IncomingMessage): string {
  return `${isHttps(request) ? 'https' : 'http'}://${request.headers.host ?? 'localhost'}`;
}
