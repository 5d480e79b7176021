import { randomBytes, randomUUID } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformDataConverter } from '../../codec/data-converter.js';
import { EncryptionCodec } from '../../codec/encryption-codec.js';
import { payloadsFromJson, payloadsToJson } from '../../codec/payload-json.js';
import { createCodecServer, TOKEN_COOKIE, type CodecServer } from '../../codec/server.js';
import { createLogger } from '../../config/logger.js';
import { parsePayloadKeys } from '../../config/payload-keys.js';
import { connectDatabase, type DatabaseHandle } from '../../db/client.js';
import { createApiToken, revokeApiToken } from '../../db/queries/api-tokens.js';
import { TokenAuthority } from '../../serving/auth.js';
import { waitUntil } from '../../stack/processes.js';
import { stackEnvironment, testConfig, testConnections } from '../support/platform.js';
import { spawnMlops, type SpawnedCommand } from '../support/processes.js';

const UI_ORIGIN = 'http://127.0.0.1:8233';

describe('codec server', () => {
  const suffix = randomUUID().slice(0, 8);
  const codec = new EncryptionCodec(parsePayloadKeys(`k1:${randomBytes(32).toString('base64')}`, 'test'));
  let database: DatabaseHandle;
  let server: CodecServer;
  let url: string;
  let adminToken: string;
  let predictToken: string;

  beforeAll(async () => {
    database = connectDatabase(testConnections().databaseUrl, { maxConnections: 2 });
    adminToken = (await createApiToken(database.db, { name: `codec-admin-${suffix}`, scopes: ['admin'] }))
      .token;
    predictToken = (
      await createApiToken(database.db, { name: `codec-predict-${suffix}`, scopes: ['predict'] })
    ).token;
    server = createCodecServer({
      codec,
      auth: new TokenAuthority(database.db),
      allowedOrigins: [UI_ORIGIN],
      log: createLogger('warn'),
    });
    url = await server.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await server?.close();
    for (const name of [`codec-admin-${suffix}`, `codec-predict-${suffix}`])
      await revokeApiToken(database.db, name);
    await database?.close();
  });

  const secret = () => defaultPayloadConverter.toPayload({ dataset: 's3://clinic/patients.parquet' });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
      body: JSON.stringify(body),
    });
  const valueOf = async (response: Response): Promise<unknown> => {
    const payloads = payloadsFromJson(await response.json()) as Payload[];
    return defaultPayloadConverter.fromPayload(payloads[0]);
  };

  it('decodes for an admin token, in the codec server JSON format', async () => {
    const encrypted = await codec.encode([secret()]);
    const response = await post('/decode', payloadsToJson(encrypted), {
      authorization: `Bearer ${adminToken}`,
    });
    expect(response.status).toBe(200);
    expect(await valueOf(response)).toEqual({ dataset: 's3://clinic/patients.parquet' });
  });

  it('encodes what it decodes again, under any path prefix (only the last segment counts)', async () => {
    const auth = { authorization: `Bearer ${adminToken}` };
    const encoded = await post('/default/encode', payloadsToJson([secret()]), auth);
    expect(encoded.status).toBe(200);
    const body = (await encoded.json()) as { payloads: { metadata: Record<string, string> }[] };
    expect(Buffer.from(body.payloads[0].metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
    expect(await valueOf(await post('/default/decode', body, auth))).toEqual({
      dataset: 's3://clinic/patients.parquet',
    });
  });

  it('answers 401 without a token or with a wrong one, and 403 to a token without the admin scope', async () => {
    const body = payloadsToJson(await codec.encode([secret()]));
    const missing = await post('/decode', body);
    expect(missing.status).toBe(401);
    expect(JSON.stringify(await missing.json())).not.toContain('clinic');
    expect((await post('/decode', body, { authorization: 'Bearer mlops_not-a-real-token' })).status).toBe(
      401,
    );
    expect((await post('/decode', body, { authorization: 'Basic YWRtaW46YWRtaW4=' })).status).toBe(401);
    const predict = await post('/decode', body, { authorization: `Bearer ${predictToken}` });
    expect(predict.status).toBe(403);
    expect(((await predict.json()) as { error: { message: string } }).error.message).toMatch(
      /lacks the admin scope/,
    );
  });

  it('answers the CORS preflight of the Temporal UI origin and refuses other origins', async () => {
    const preflight = (origin: string) =>
      fetch(`${url}/decode`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,x-namespace',
        },
      });
    const allowed = await preflight(UI_ORIGIN);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(
      /authorization.*content-type.*x-namespace/,
    );
    const foreign = await preflight('https://evil.example.com');
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    // The actual request from the UI carries the CORS headers too; a foreign page's is refused outright.
    const fromUi = await post('/decode', payloadsToJson(await codec.encode([secret()])), {
      authorization: `Bearer ${adminToken}`,
      origin: UI_ORIGIN,
    });
    expect(fromUi.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    const fromElsewhere = await post('/decode', payloadsToJson([secret()]), {
      authorization: `Bearer ${adminToken}`,
      origin: 'https://evil.example.com',
    });
    expect(fromElsewhere.status).toBe(403);
  });

  it('signs a browser in with the token, so the UI can send it as a cookie ("include credentials")', async () => {
    const wrong = await fetch(`${url}/login`, {
      method: 'POST',
      body: new URLSearchParams({ token: 'nope' }),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const page = await fetch(`${url}/`);
    expect(await page.text()).toContain('Include cross-origin credentials');
    // The form posts from the codec server's own origin.
    const login = await fetch(`${url}/login`, {
      method: 'POST',
      headers: { origin: url },
      body: new URLSearchParams({ token: adminToken }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(new RegExp(`^${TOKEN_COOKIE}=.*; HttpOnly; .*SameSite=Strict`));
    const decoded = await post('/decode', payloadsToJson(await codec.encode([secret()])), {
      cookie: cookie.split(';')[0],
      origin: UI_ORIGIN,
    });
    expect(decoded.status).toBe(200);
    expect(await valueOf(decoded)).toEqual({ dataset: 's3://clinic/patients.parquet' });
  });

  it('refuses payloads its keys cannot open with a message, not a crash', async () => {
    const other = new EncryptionCodec(parsePayloadKeys(`k9:${randomBytes(32).toString('base64')}`, 'other'));
    const response = await post('/decode', payloadsToJson(await other.encode([secret()])), {
      authorization: `Bearer ${adminToken}`,
    });
    expect(response.status).toBe(422);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/key "k9"/);
    expect((await post('/decode', { payloads: 'x' }, { authorization: `Bearer ${adminToken}` })).status).toBe(
      400,
    );
  });
});

describe('mlops codec-server', () => {
  let command: SpawnedCommand | undefined;
  let database: DatabaseHandle;
  const name = `codec-cli-${randomUUID().slice(0, 8)}`;

  beforeAll(() => {
    database = connectDatabase(testConnections().databaseUrl, { maxConnections: 2 });
  });

  afterAll(async () => {
    command?.child.kill('SIGTERM');
    await command?.exited;
    await revokeApiToken(database.db, name);
    await database?.close();
  });

  it(
    "decodes what the platform's clients encrypt, for the stack's UI origin by default",
    { timeout: 60_000 },
    async () => {
      const { token } = await createApiToken(database.db, { name, scopes: ['admin'] });
      command = spawnMlops(['codec-server', '--port', '0', '--json'], stackEnvironment());
      const started = (await command.json) as { url: string; allowedOrigins: string[] };
      const uiOrigin = new URL(testConnections().temporal.uiUrl!).origin;
      expect(started.allowedOrigins).toEqual([uiOrigin]);
      await waitUntil('the codec server', async () => (await fetch(`${started.url}/healthz`)).ok, {
        timeoutMs: 10_000,
      });

      // Encrypted as every worker and client of the test stack does, with the stack's key file.
      const [codec] = platformDataConverter(testConfig(), testConnections()).payloadCodecs!;
      const encrypted = await codec.encode([
        defaultPayloadConverter.toPayload({ column: 'Flipper Length (mm)' }),
      ]);
      const response = await fetch(`${started.url}/decode`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', origin: uiOrigin },
        body: JSON.stringify(payloadsToJson(encrypted)),
      });
      expect(response.status, command.stderr()).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe(uiOrigin);
      const [decoded] = payloadsFromJson(await response.json()) as Payload[];
      expect(defaultPayloadConverter.fromPayload(decoded)).toEqual({ column: 'Flipper Length (mm)' });
    },
  );
});
