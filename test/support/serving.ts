import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { createApiToken, type ApiTokenScope } from '../../db/queries/api-tokens.js';
import { createServingServer, type ServingServer, type ServingSettings } from '../../serving/index.js';
import { createLogger } from '../../config/logger.js';
import { PENGUIN_MEASUREMENTS } from '../../scripts/support/served-model.js';
import { quickPenguinsSpec, runPipeline } from './pipeline.js';
import { testArtifactStore, testConnections, type TestPlatform } from './platform.js';

/**
 * Trains (and promotes) a quick penguins model on the platform: the name of a model there is to
 * serve. The measurements may be left out of requests (serving.allowMissing) unless `overrides`
 * say otherwise.
 */
export async function trainServedModel(
  platform: TestPlatform,
  overrides: Record<string, unknown> = {},
): Promise<string> {
  const spec = quickPenguinsSpec({ serving: { allowMissing: PENGUIN_MEASUREMENTS }, ...overrides });
  const result = await runPipeline(platform, spec);
  expect(result.status).toBe('succeeded');
  return spec.name;
}

export { PENGUIN_MEASUREMENTS };

export interface TestServer {
  readonly server: ServingServer;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A prediction server in this process on a free port, serving only `models` (the shared database
 * holds others'). With `logLines`, every log line of the server (debug and up) is kept there.
 */
export async function startTestServer(
  platform: TestPlatform,
  models: readonly string[],
  settings: Partial<ServingSettings> = {},
  options: { logLines?: string[] } = {},
): Promise<TestServer> {
  const store = testArtifactStore();
  const captured = options.logLines;
  const server = createServingServer({
    db: platform.database.db,
    databaseUrl: testConnections().databaseUrl,
    artifacts: store,
    log: captured
      ? createLogger('debug', { test: 'serving' }, { write: (line) => void captured.push(line) })
      : createLogger(process.env.MLOPS_TEST_LOG_LEVEL ?? 'warn', { test: 'serving' }),
    // A long periodic re-check: changes in these tests must arrive through NOTIFY.
    settings: { models, refreshIntervalMs: 60_000, shutdownGraceMs: 10_000, ...settings },
  });
  const url = await server.listen(0, '127.0.0.1');
  return {
    server,
    url,
    close: async () => {
      await server.close();
      store.client.destroy();
    },
  };
}

/** A fresh token with `scopes`, under a unique name. */
export async function createTestToken(
  platform: TestPlatform,
  scopes: ApiTokenScope[],
): Promise<{ name: string; token: string }> {
  const name = `test-${scopes.join('-')}-${randomUUID().slice(0, 8)}`;
  const { token } = await createApiToken(platform.database.db, { name, scopes });
  return { name, token };
}

export interface JsonResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

/** A request with a JSON (or raw text) body and an optional bearer token; the answer parsed as JSON. */
export async function request(
  url: string,
  options: {
    method?: string;
    body?: unknown;
    raw?: string;
    token?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<JsonResponse> {
  const response = await fetch(url, {
    method: options.method ?? (options.body !== undefined || options.raw !== undefined ? 'POST' : 'GET'),
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: response.status, headers: response.headers, body };
}

/** Polls `check` until it returns true (changes announced through NOTIFY arrive within moments). */
export async function eventually(
  check: () => Promise<boolean>,
  what: string,
  limitMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
