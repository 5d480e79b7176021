import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeApiToken } from '../../db/queries/api-tokens.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import {
  createTestToken,
  eventually,
  request,
  startTestServer,
  trainServedModel,
  type TestServer,
} from '../support/serving.js';
import {
  deeplyNested,
  extremeNumbers,
  feedbackPrototypeKeys,
  penguinWith,
  refusedCredentials,
  refusedNumbers,
  unknownToken,
} from '../support/serving-attacks.js';
import { adelie, gentoo, invalidRequests } from '../support/serving-requests.js';
import {
  chunked,
  filler,
  requestHead,
  requestOnNewConnection,
  sendAllThenRead,
  slowClient,
  streamRequest,
  type RawAnswer,
} from '../support/serving-sockets.js';

/**
 * Section 3 of the attack corpus: hostile clients against the prediction server, with its default
 * body and instance limits (1 MiB, 1000) and short client timeouts so slow clients are reaped in
 * seconds. Each attack must get a clear refusal and leave nothing behind: no prediction_logs rows,
 * no feedback stored, no polluted prototype, a server that keeps answering.
 */
const HEADERS_TIMEOUT_MS = 1500;
const REQUEST_TIMEOUT_MS = 3000;
const MiB = 1024 * 1024;

describe('prediction server under hostile clients', () => {
  let platform: TestPlatform;
  let serving: TestServer;
  let modelName: string;
  const tokens = { predict: '', feedback: '', revoked: '' };
  /** A logged prediction that refused feedback must leave unlabelled. */
  let predictionId: string;
  const predictPath = () => `/v1/models/${modelName}:predict`;
  const predict = (body: unknown, token = tokens.predict) =>
    request(`${serving.url}${predictPath()}`, { body, token });
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

  /** prediction_logs rows of this file's model, once everything answered is written. */
  async function loggedPredictions(): Promise<number> {
    await serving.server.predictionLog.flushed();
    const { rows } = await platform.database.pool.query<{ count: number }>(
      `select count(*)::int as count from prediction_logs p
         join model_versions v on v.id = p.model_version_id join models m on m.id = v.model_id
        where m.name = $1`,
      [modelName],
    );
    return rows[0].count;
  }

  async function feedbackStored(id: string): Promise<boolean> {
    const { rowCount } = await platform.database.pool.query(
      'select 1 from label_feedback where prediction_id = $1',
      [id],
    );
    return rowCount !== 0;
  }

  /** Runs `attack` and checks it left no prediction_logs row behind. */
  async function withoutLogging<T>(attack: () => Promise<T>): Promise<T> {
    const logged = await loggedPredictions();
    const result = await attack();
    expect(await loggedPredictions()).toBe(logged);
    return result;
  }

  beforeAll(async () => {
    platform = await startTestPlatform({ pools: ['cpu'] });
    modelName = await trainServedModel(platform);
    tokens.predict = (await createTestToken(platform, ['predict'])).token;
    tokens.feedback = (await createTestToken(platform, ['feedback'])).token;
    const revoked = await createTestToken(platform, ['predict', 'feedback']);
    await revokeApiToken(platform.database.db, revoked.name);
    tokens.revoked = revoked.token;
    serving = await startTestServer(platform, [modelName], {
      headersTimeoutMs: HEADERS_TIMEOUT_MS,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
    });
    [predictionId] = (await predict({ instances: [gentoo] })).body.predictionIds as string[];
    await serving.server.predictionLog.flushed();
  });

  afterAll(async () => {
    await serving?.close();
    await platform?.stop();
  });

  describe('slow clients', () => {
    it('keeps serving predictions while 100 slowloris clients trickle headers and 20 trickle a body, and closes each with 408 once its timeout passes', async () => {
      const timeMany = async (count: number) => {
        const latencies: number[] = [];
        for (let index = 0; index < count; index += 1) {
          const started = performance.now();
          expect((await predict({ instances: [adelie] })).status).toBe(200);
          latencies.push(performance.now() - started);
        }
        return latencies.sort((a, b) => a - b);
      };
      await timeMany(20); // warm-up: compiled code paths, pooled connections
      const logged = await loggedPredictions();
      const baseline = await timeMany(50);

      const headerTricklers = Array.from({ length: 100 }, () =>
        slowClient(serving.url, `POST ${predictPath()} HTTP/1.1\r\nhost: localhost\r\n`, 'x-slow: 1', 100),
      );
      const bodyTricklers = Array.from({ length: 20 }, () =>
        slowClient(
          serving.url,
          requestHead(predictPath(), tokens.predict, { 'content-length': 4096 }),
          '{"instances": [',
          100,
        ),
      );
      const slow = Promise.all([Promise.all(headerTricklers), Promise.all(bodyTricklers)]);
      // Normal traffic for as long as the slow clients are connected.
      const underAttack: number[] = [];
      let reaped = false;
      void slow.then(() => (reaped = true));
      while (!reaped) underAttack.push(...(await timeMany(5)));
      const [headerAnswers, bodyAnswers] = await slow;

      const expectRefused = (answers: RawAnswer[], timeoutMs: number, message: RegExp) => {
        for (const answer of answers) {
          expect(answer.status).toBe(408);
          expect(answer.body.error).toMatchObject({
            code: 'request_timeout',
            message: expect.stringMatching(message),
          });
          // Never before its timeout (how long after is the machine's business, not the test's).
          expect(answer.elapsedMs).toBeGreaterThanOrEqual(timeoutMs - 50);
        }
      };
      expectRefused(
        headerAnswers,
        HEADERS_TIMEOUT_MS,
        /headers did not arrive within 1500 ms \(MLOPS_SERVING_HEADERS_TIMEOUT\)/,
      );
      expectRefused(
        bodyAnswers,
        REQUEST_TIMEOUT_MS,
        /did not arrive in full within 3000 ms \(MLOPS_SERVING_REQUEST_TIMEOUT\)/,
      );

      // Every normal request was answered 200 (timeMany checks each); the latencies are printed,
      // not asserted: timings on a shared machine belong in benchmarks.
      const median = (latencies: number[]) => latencies[Math.floor(latencies.length / 2)];
      expect(underAttack.length).toBeGreaterThan(0);
      process.stdout.write(
        `normal predictions: median ${median(baseline).toFixed(1)} ms alone, ${median(underAttack).toFixed(1)} ms under 120 slow clients (${underAttack.length} requests)\n`,
      );
      const { metrics } = serving.server;
      expect(metrics.clientErrors.get('headers_timeout')).toBeGreaterThanOrEqual(100);
      expect(metrics.clientErrors.get('body_timeout')).toBeGreaterThanOrEqual(20);
      // The refused bodies never reached the model or the log, and no handler is left waiting.
      expect(await loggedPredictions()).toBe(logged + baseline.length + underAttack.length);
      expect(metrics.inFlight.get()).toBe(0);
    });

    it('closes connections past MLOPS_SERVING_MAX_CONNECTIONS at once, and serves again once the slow ones are reaped', async () => {
      // Slow clients held for 3 s: time enough to show a connection past the cap is refused at once.
      const cappedTimeoutMs = 3000;
      const capped = await startTestServer(platform, [modelName], {
        headersTimeoutMs: cappedTimeoutMs,
        requestTimeoutMs: cappedTimeoutMs,
        maxConnections: 10,
      });
      try {
        const url = `${capped.url}${predictPath()}`;
        const call = () =>
          requestOnNewConnection(url, { token: tokens.predict, body: { instances: [adelie] } });
        expect((await call()).status).toBe(200);
        const { metrics } = capped.server;
        await eventually(async () => metrics.openConnections.get() === 0, 'the first connection closed');
        const slow = Array.from({ length: 10 }, () =>
          slowClient(capped.url, `GET /healthz HTTP/1.1\r\n`, 'x', 100),
        );
        await eventually(async () => metrics.openConnections.get() === 10, 'the slow clients connected');

        // Refused rather than queued: a connection the server took would be answered once the
        // slow ones were reaped.
        await expect(call()).rejects.toMatchObject({ code: expect.stringMatching(/ECONNRESET|EPIPE/) });
        expect(metrics.connectionsRefused.get()).toBeGreaterThanOrEqual(1);

        for (const answer of await Promise.all(slow)) expect(answer.status).toBe(408);
        await eventually(
          async () => (await call().catch(() => ({ status: 0 }))).status === 200,
          'served again',
        );
      } finally {
        await capped.close();
      }
    });

    it('answers 431 to headers past 16 KiB and 400 to bytes that are not HTTP, as JSON errors', async () => {
      const huge = await streamRequest(
        serving.url,
        `GET /healthz HTTP/1.1\r\nhost: localhost\r\nx-filler: ${'a'.repeat(20_000)}\r\n\r\n`,
        [],
      );
      expect(huge.status).toBe(431);
      expect(huge.body.error).toMatchObject({
        code: 'headers_too_large',
        message: expect.stringContaining('16384 bytes'),
      });
      const garbage = await streamRequest(serving.url, '\u0000\u0001 not http\r\n\r\n', []);
      expect(garbage.status).toBe(400);
      expect(garbage.body.error).toMatchObject({
        code: 'invalid_request',
        message: expect.stringContaining('not valid HTTP/1.1'),
      });
      expect((await request(`${serving.url}/healthz`)).status).toBe(200);
    });
  });

  describe('big bodies and many instances (default limits: 1 MiB, 1000 instances)', () => {
    const tooLarge = {
      code: 'body_too_large',
      message: expect.stringContaining('larger than 1048576 bytes (MLOPS_MAX_BODY_BYTES)'),
    };

    /** Streams a 50 MB body, watching this process's memory (the server runs in it) meanwhile. */
    async function send50MB(framing: Record<string, string | number>, body: Iterable<Buffer>) {
      const before = process.memoryUsage().rss;
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
      try {
        const head = requestHead(predictPath(), tokens.predict, framing);
        return { answer: await streamRequest(serving.url, head, body), grewBy: peak - before };
      } finally {
        clearInterval(sampler);
      }
    }

    // What the client had sent when the answer came is mostly what loopback socket buffers hold
    // unread (about 4 MiB here): far from the 50 MB, so the server answered without waiting for it.
    it.each([
      ['with its Content-Length, at once', { 'content-length': 50_000_000 }, () => filler(50_000_000)],
      [
        'chunked (no Content-Length), as soon as it passes 1 MiB',
        { 'transfer-encoding': 'chunked' },
        () => chunked(filler(50_000_000)),
      ],
    ])('refuses a 50 MB body %s (413), without holding it', async (_, framing, body) => {
      const { answer, grewBy } = await withoutLogging(() => send50MB(framing, body()));
      expect(answer.status).toBe(413);
      expect(answer.body.error).toMatchObject(tooLarge);
      expect(answer.bytesSent).toBeLessThan(20 * MiB);
      expect(grewBy).toBeLessThan(25 * MiB);
    });

    // Closed at once with the client's bytes unread, the connection ends in a reset, and the reset
    // discards the answer the client has not read yet: the close lingers instead (serving/connections.ts).
    it.each([
      ['declared too large', { 'content-length': 4 * MiB }],
      ['chunked past the limit', { 'transfer-encoding': 'chunked' }],
    ])('lets a client that sends its whole body first read the 413 (%s)', async (_, framing) => {
      const body = Buffer.concat([
        ...('transfer-encoding' in framing ? chunked(filler(4 * MiB)) : filler(4 * MiB)),
      ]);
      const head = requestHead(predictPath(), tokens.predict, framing);
      const answer = await withoutLogging(() => sendAllThenRead(serving.url, head, body, 500));
      expect(answer.error).toBeUndefined();
      expect(answer.text).toMatch(/^HTTP\/1\.1 413 /);
      expect(answer.text).toContain('"body_too_large"');
    });

    it('refuses 1,000,000 instances with 413: the 1 MiB body limit comes first', async () => {
      // Written as it is sent: 3 MB of `{}`, instances of no input at all.
      const instances = function* () {
        const many = Buffer.from('{},'.repeat(10_000));
        yield Buffer.from('{"instances": [');
        for (let index = 1; index < 100; index += 1) yield many;
        yield many.subarray(0, -1);
        yield Buffer.from(']}');
      };
      const head = requestHead(predictPath(), tokens.predict, { 'transfer-encoding': 'chunked' });
      const answer = await withoutLogging(() => streamRequest(serving.url, head, chunked(instances())));
      expect(answer.status).toBe(413);
      expect(answer.body.error).toMatchObject(tooLarge);
    });

    it('refuses 1001 small instances under the byte limit with 413 too_many_instances', async () => {
      const response = await withoutLogging(() =>
        predict({ instances: Array.from({ length: 1001 }, () => ({})) }),
      );
      expect(response.status).toBe(413);
      expect(response.body.error).toMatchObject({
        code: 'too_many_instances',
        message: '"instances" has 1001 items, more than 1000 (MLOPS_MAX_INSTANCES): split the request',
      });
    });
  });

  describe('hostile JSON', () => {
    const predictRaw = (raw: string) =>
      request(`${serving.url}${predictPath()}`, { raw, token: tokens.predict });

    it.each(deeplyNested)('refuses %s with 400 and keeps answering', async (_, raw, code, message) => {
      const response = await withoutLogging(() => predictRaw(raw));
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({ code, message: expect.stringMatching(message) });
      expect((await predict({ instances: [adelie] })).status).toBe(200);
    });

    it('accepts the extremes of finite numbers, 1e308, -1e308, -0 and 5e-324, with finite probabilities', async () => {
      const response = await predictRaw(extremeNumbers);
      expect(response.status).toBe(200);
      expect(response.body.predictions).toHaveLength(4);
      for (const probabilities of response.body.probabilities as Record<string, unknown>[])
        for (const value of Object.values(probabilities)) expect(Number.isFinite(value)).toBe(true);
    });

    it.each(refusedNumbers)('refuses %s for a number with 400', async (_, value, code, message) => {
      const response = await predictRaw(penguinWith('Body Mass (g)', value));
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({ code, message: expect.stringMatching(message) });
    });
  });

  describe('auth on every model route', () => {
    const routes: [string, string, () => string, () => unknown][] = [
      ['GET', '/v1/models', () => '/v1/models', () => undefined],
      ['GET', '/v1/models/<name>', () => `/v1/models/${modelName}`, () => undefined],
      ['POST', '/v1/models/<name>:predict', () => predictPath(), () => ({ instances: [adelie] })],
      [
        'POST',
        '/v1/models/<name>/feedback',
        () => `/v1/models/${modelName}/feedback`,
        () => ({ feedback: [{ predictionId, label: 'Gentoo' }] }),
      ],
      ['GET', '/v2/models/<name>', () => `/v2/models/${modelName}`, () => undefined],
      ['GET', '/v2/models/<name>/ready', () => `/v2/models/${modelName}/ready`, () => undefined],
      [
        'POST',
        '/v2/models/<name>/infer',
        () => `/v2/models/${modelName}/infer`,
        () => ({ inputs: [{ name: 'Island', shape: [1], datatype: 'BYTES', data: ['Dream'] }] }),
      ],
      ['GET', '/openapi.json', () => '/openapi.json', () => undefined],
    ];
    const matrix = routes.flatMap(([method, name, path, body]) =>
      refusedCredentials(tokens).map((credential) => ({ method, name, path, body, ...credential })),
    );

    it.each(matrix)(
      '$method $name with $sent: $status',
      async ({ method, name, path, body, header, status, challenge, message }) => {
        const authorization = header(name);
        const { response, text } = await withoutLogging(async () => {
          const answer = await fetch(`${serving.url}${path()}`, {
            method,
            headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
            body: body() === undefined ? undefined : JSON.stringify(body()),
          });
          return { response: answer, text: await answer.text() };
        });
        expect(response.status).toBe(status);
        expect(response.headers.get('www-authenticate')).toMatch(challenge);
        // V1 errors carry a code and a message, the Open Inference Protocol's are the message.
        const { error } = JSON.parse(text) as { error: string | { message: string } };
        expect(typeof error === 'string' ? error : error.message).toMatch(message);
        // Neither the body nor any header repeats what was presented.
        const presented = authorization?.split(' ')[1];
        if (presented) {
          expect(text).not.toContain(presented);
          expect(text).not.toContain(unknownToken);
          expect(JSON.stringify([...response.headers])).not.toContain(presented);
        }
        expect(await feedbackStored(predictionId)).toBe(false);
      },
    );

    it('answers health, readiness and metrics without a token', async () => {
      for (const path of ['/healthz', '/readyz', '/metrics', '/v2', '/v2/health/live', '/v2/health/ready'])
        expect((await request(`${serving.url}${path}`)).status, path).toBe(200);
    });
  });

  describe('prototype keys in feedback', () => {
    const feedbackUrl = () => `${serving.url}/v1/models/${modelName}/feedback`;

    it.each(feedbackPrototypeKeys)(
      'refuses %s with 400 and stores nothing',
      async (_, body, code, message) => {
        const response = await request(feedbackUrl(), { raw: body(predictionId), token: tokens.feedback });
        expect(response.status).toBe(400);
        expect(response.body.error).toMatchObject({ code, message: expect.stringMatching(message) });
        expect(await feedbackStored(predictionId)).toBe(false);
      },
    );

    // The predict route's prototype keys (serving-protocol.test.ts) again, in this process.
    it.each(invalidRequests.filter(([name]) => /__proto__|constructor/.test(name)))(
      'refuses %s in a predict body',
      async (_, input, status, code) => {
        const response = await request(`${serving.url}${predictPath()}`, { ...input, token: tokens.predict });
        expect(response.status).toBe(status);
        expect(response.body.error).toMatchObject({ code });
      },
    );

    it('leaves Object.prototype as it was after every attack of this file', () => {
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
    });
  });
});
