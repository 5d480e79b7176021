import { spawnSync } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';
import { createLogger } from '../../config/logger.js';
import type { PredictionLogRow } from '../../db/queries/serving.js';
import { describeWriteError, isConnectionError } from '../../serving/database-errors.js';
import { HttpError } from '../../serving/http-errors.js';
import { ServingMetrics } from '../../serving/metrics.js';
import { PredictionLog, type PredictionLogSettings } from '../../serving/prediction-log.js';
import { SPILL_FILE } from '../../serving/prediction-spill.js';
import { servingSettings } from '../../serving/settings.js';

const row = (id: number): PredictionLogRow => ({
  predictionId: `id-${id}`,
  modelVersionId: 1,
  deploymentId: null,
  inputs: {},
  output: 'a',
  probabilities: null,
  latencyMs: 1,
  requestKey: null,
  createdAt: new Date(0),
});
const rows = (from: number, count: number) => Array.from({ length: count }, (_, index) => row(from + index));

/** A writer the test controls: each write waits until the test releases (or fails) it. */
function controlledWriter() {
  const written: string[] = [];
  const pending: { rows: readonly PredictionLogRow[]; settle: (error?: Error) => void }[] = [];
  const write = (batch: readonly PredictionLogRow[]) =>
    new Promise<void>((resolve, reject) => {
      pending.push({
        rows: batch,
        settle: (error) => {
          if (error) reject(error);
          else {
            written.push(...batch.map((entry) => entry.predictionId));
            resolve();
          }
        },
      });
    });
  const next = async () => {
    for (let attempt = 0; attempt < 200 && pending.length === 0; attempt += 1)
      await new Promise((resolve) => setTimeout(resolve, 5));
    const batch = pending.shift();
    if (!batch) throw new Error('no write was started');
    return batch;
  };
  return { write, written, next };
}

function queue(writer: ReturnType<typeof controlledWriter>, settings: Partial<PredictionLogSettings> = {}) {
  const metrics = new ServingMetrics();
  const log = new PredictionLog(
    writer.write,
    { capacity: 10, batchRows: 4, flushIntervalMs: 60_000, maxWaitMs: 60_000, ...settings },
    metrics,
    createLogger('silent'),
  );
  return { log, metrics };
}

describe('prediction log queue', () => {
  it('takes rows at once while there is room and writes a batch as soon as one is full', async () => {
    const writer = controlledWriter();
    const { log } = queue(writer);
    expect(log.enqueue(rows(0, 3))).toBeUndefined();
    expect(log.depth).toBe(3);
    expect(log.enqueue(rows(3, 2))).toBeUndefined();
    const batch = await writer.next();
    expect(batch.rows.map((entry) => entry.predictionId)).toEqual(['id-0', 'id-1', 'id-2', 'id-3']);
    batch.settle();
    // The one row left waits for the flush interval, or for someone who needs it written.
    const flushed = log.flushed();
    (await writer.next()).settle();
    await flushed;
    expect(writer.written).toEqual(rows(0, 5).map((entry) => entry.predictionId));
  });

  it('makes requests wait while it is full, lets them in as batches are written, in order', async () => {
    const writer = controlledWriter();
    const { log, metrics } = queue(writer);
    log.enqueue(rows(0, 10));
    const waiting = log.enqueue(rows(10, 3));
    expect(waiting).toBeInstanceOf(Promise);
    let admitted = false;
    void waiting!.then(() => (admitted = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(admitted).toBe(false);
    (await writer.next()).settle();
    await waiting;
    expect(metrics.logWaits.get()).toBe(1);
    const flushed = log.flushed();
    for (let index = 0; index < 3; index += 1) (await writer.next()).settle();
    await flushed;
    expect(writer.written).toEqual(rows(0, 13).map((entry) => entry.predictionId));
  });

  it('refuses with 503 a request that waited longer than maxWaitMs, and never takes its rows', async () => {
    const writer = controlledWriter();
    const { log } = queue(writer, { maxWaitMs: 20 });
    log.enqueue(rows(0, 10));
    const refused = await log.enqueue(rows(10, 1))!.catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(HttpError);
    expect(refused).toMatchObject({ status: 503, code: 'overloaded' });
    const flushed = log.flushed();
    for (let index = 0; index < 3; index += 1) (await writer.next()).settle();
    await flushed;
    expect(writer.written).not.toContain('id-10');
  });

  it('keeps the rows of a failed write and writes them again, in order', async () => {
    const writer = controlledWriter();
    const { log, metrics } = queue(writer);
    log.enqueue(rows(0, 4));
    (await writer.next()).settle(new Error('connection reset'));
    const retried = await writer.next();
    expect(retried.rows.map((entry) => entry.predictionId)).toEqual(['id-0', 'id-1', 'id-2', 'id-3']);
    retried.settle();
    await log.flushed();
    expect(metrics.logWriteFailures.get()).toBe(1);
    expect(writer.written).toEqual(['id-0', 'id-1', 'id-2', 'id-3']);
  });

  it('writes everything on close, waiting requests included, and drops nothing', async () => {
    const writer = controlledWriter();
    const { log, metrics } = queue(writer);
    log.enqueue(rows(0, 10));
    const waiting = log.enqueue(rows(10, 5));
    const closed = log.close(10_000);
    for (let index = 0; index < 4; index += 1) (await writer.next()).settle();
    await waiting;
    expect(await closed).toEqual({ dropped: 0 });
    expect(writer.written).toEqual(rows(0, 15).map((entry) => entry.predictionId));
    expect(metrics.logDropped.get()).toBe(0);
  });

  it('counts and reports the rows it could not write before the close deadline', async () => {
    const { log, metrics } = queue({
      write: () => Promise.reject(new Error('database gone')),
      written: [],
      next: async () => undefined as never,
    });
    log.enqueue(rows(0, 3));
    expect(await log.close(50)).toEqual({ dropped: 3 });
    expect(metrics.logDropped.get()).toBe(3);
  });
});

/** A database that can be cut off: inserts skip ids already stored, as ON CONFLICT DO NOTHING does. */
function flakyDatabase() {
  const stored = new Map<string, PredictionLogRow>();
  const state = { up: true, failure: connectionRefused(), inserts: 0 };
  const write = async (batch: readonly PredictionLogRow[]) => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (!state.up) throw state.failure;
    for (const entry of batch) {
      state.inserts += 1;
      if (!stored.has(entry.predictionId)) stored.set(entry.predictionId, entry);
    }
  };
  return { write, stored, state };
}

function connectionRefused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${what} did not happen`);
}

describe('prediction log spill (the database unreachable)', () => {
  const folders: string[] = [];
  const spillFolder = async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'mlops-spill-test-'));
    folders.push(folder);
    return folder;
  };
  const spilledIds = async (folder: string) =>
    (await readFile(path.join(folder, SPILL_FILE), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as PredictionLogRow).predictionId);
  afterAll(async () => {
    for (const folder of folders) await rm(folder, { recursive: true, force: true });
  });

  async function spillingLog(
    database: ReturnType<typeof flakyDatabase>,
    folder: string,
    settings: Partial<PredictionLogSettings> = {},
  ) {
    const metrics = new ServingMetrics();
    const log = new PredictionLog(
      database.write,
      {
        capacity: 10,
        batchRows: 4,
        flushIntervalMs: 5,
        maxWaitMs: 60_000,
        spill: { directory: folder, maxBytes: 1024 * 1024 },
        ...settings,
      },
      metrics,
      createLogger('silent'),
    );
    await log.open();
    return { log, metrics };
  }

  it("spills answered rows, answers new requests only once their rows are fsync'd, and replays each row once when the database is back", async () => {
    const database = flakyDatabase();
    const folder = await spillFolder();
    const { log, metrics } = await spillingLog(database, folder);
    database.state.up = false;
    // Taken into memory (the database was fine a moment ago), answered, then spilled when the write fails.
    expect(log.enqueue(rows(0, 3))).toBeUndefined();
    await until(() => log.spillDepth.rows === 3, 'spilling the queue');
    expect(await spilledIds(folder)).toEqual(['id-0', 'id-1', 'id-2']);

    // From now on a request waits for its rows to be durable.
    const taken = log.enqueue(rows(3, 2));
    expect(taken).toBeInstanceOf(Promise);
    await taken;
    expect(await spilledIds(folder)).toEqual(['id-0', 'id-1', 'id-2', 'id-3', 'id-4']);
    expect(log.depth).toBe(0);
    expect(metrics.logSpilled.get()).toBe(5);
    expect(database.stored.size).toBe(0);

    database.state.up = true;
    // Replayed, then emptied.
    await until(() => log.spillDepth.bytes === 0, 'replaying the spill');
    expect([...database.stored.keys()]).toEqual(rows(0, 5).map((entry) => entry.predictionId));
    expect(metrics.logReplayed.get()).toBe(5);
    expect(log.spillDepth).toEqual({ rows: 0, bytes: 0 });
    expect(await spilledIds(folder)).toEqual([]);
    // Back to memory.
    expect(log.enqueue(rows(5, 1))).toBeUndefined();
    await log.flushed();
    expect(database.stored.size).toBe(6);
    expect(await log.close(1000)).toEqual({ dropped: 0 });
  });

  it('refuses requests with 503 once the spill is past its bound, and never takes their rows', async () => {
    const database = flakyDatabase();
    const folder = await spillFolder();
    const { log } = await spillingLog(database, folder, { spill: { directory: folder, maxBytes: 100 } });
    database.state.up = false;
    log.enqueue(rows(0, 2));
    // Answered rows are spilled past the bound: refusing them would lose them.
    await until(() => log.spillDepth.rows === 2, 'spilling the queue');
    const refused = await log.enqueue(rows(2, 1))!.catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(HttpError);
    expect(refused).toMatchObject({ status: 503, code: 'overloaded', message: /spill file is full/ });
    database.state.up = true;
    await until(() => log.spillDepth.rows === 0, 'replaying the spill');
    expect([...database.stored.keys()]).toEqual(['id-0', 'id-1']);
    await log.close(1000);
  });

  it('leaves its spill on disk when stopped during an outage; the next server replays it, without the torn tail of an unanswered write', async () => {
    const database = flakyDatabase();
    const folder = await spillFolder();
    const first = await spillingLog(database, folder);
    database.state.up = false;
    first.log.enqueue(rows(0, 3));
    await first.log.enqueue(rows(3, 6));
    await first.log.enqueue(rows(9, 1));
    expect(await first.log.close(200)).toEqual({ dropped: 0 });
    expect(first.metrics.logDropped.get()).toBe(0);
    expect(await spilledIds(folder)).toHaveLength(10);
    // A crash in the middle of an append: its request was never answered (that waits for fsync).
    await appendFile(path.join(folder, SPILL_FILE), '{"predictionId":"id-torn","modelVer');

    // The database comes back for the next server, but fails once in the middle of its replay.
    let writes = 0;
    const second = await spillingLog(
      {
        ...database,
        write: async (batch) => {
          writes += 1;
          if (writes === 2) throw connectionRefused();
          return database.write(batch);
        },
      },
      folder,
    );
    database.state.up = true;
    await until(() => second.log.spillDepth.rows === 0, 'replaying the earlier spill');
    expect([...database.stored.keys()].sort()).toEqual(
      rows(0, 10)
        .map((entry) => entry.predictionId)
        .sort(),
    );
    expect(database.stored.has('id-torn')).toBe(false);
    expect(database.stored.get('id-0')?.createdAt).toEqual(new Date(0));
    await second.log.close(1000);
  });

  it('keeps rows in memory and retries them on a data error: only an unreachable database spills', async () => {
    const database = flakyDatabase();
    const folder = await spillFolder();
    const { log, metrics } = await spillingLog(database, folder);
    database.state.up = false;
    database.state.failure = Object.assign(new Error('invalid input syntax for type uuid'), {
      code: '22P02',
    });
    log.enqueue(rows(0, 2));
    await until(() => metrics.logWriteFailures.get() >= 1, 'a failed write');
    expect(log.spillDepth.rows).toBe(0);
    expect(log.depth).toBe(2);
    database.state.up = true;
    await log.flushed();
    expect(database.stored.size).toBe(2);
    await log.close(1000);
  });

  it('counts a write that hangs past writeTimeoutMs as the database being unreachable', async () => {
    const folder = await spillFolder();
    const hanging = { ...flakyDatabase(), write: () => new Promise<void>(() => undefined) };
    const { log } = await spillingLog(hanging, folder, { writeTimeoutMs: 30 });
    log.enqueue(rows(0, 2));
    await until(() => log.spillDepth.rows === 2, 'spilling after the timeout');
    await log.close(50);
  });

  it('gives a second server on the same folder a slot of its own; a new server adopts what a dead one left', async () => {
    const folder = await spillFolder();
    const database = flakyDatabase();
    const first = await spillingLog(database, folder);
    const second = await spillingLog(database, folder);
    database.state.up = false;
    first.log.enqueue(rows(0, 2));
    second.log.enqueue(rows(2, 3));
    await until(() => first.log.spillDepth.rows === 2 && second.log.spillDepth.rows === 3, 'spilling');
    expect(await spilledIds(folder)).toEqual(['id-0', 'id-1']);
    expect(await spilledIds(path.join(folder, 'replica-1'))).toEqual(['id-2', 'id-3', 'id-4']);
    await first.log.close(50);
    await second.log.close(50);
    // The second one's lock is left by a process that is gone (it crashed).
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(
      path.join(folder, 'replica-1', 'prediction-log.lock'),
      JSON.stringify({ pid: gone, host: os.hostname() }),
    );

    database.state.up = true;
    const third = await spillingLog(database, folder);
    await until(() => third.log.spillDepth.rows === 0, 'replaying both spills');
    expect([...database.stored.keys()].sort()).toEqual(rows(0, 5).map((entry) => entry.predictionId));
    expect(await spilledIds(path.join(folder, 'replica-1'))).toEqual([]);
    await third.log.close(100);
  });

  it.each([
    ['a refused connection', connectionRefused(), true],
    [
      'a reset wrapped by Drizzle',
      new Error('Failed query', {
        cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      }),
      true,
    ],
    ['a dropped connection', new Error('Connection terminated unexpectedly'), true],
    [
      'a server shutting down',
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      true,
    ],
    ['a connection exception class', Object.assign(new Error('connection failure'), { code: '08006' }), true],
    ['every address refused', new AggregateError([connectionRefused(), connectionRefused()]), true],
    [
      'a foreign key violation',
      Object.assign(new Error('violates foreign key constraint'), { code: '23503' }),
      false,
    ],
    ['a syntax error', Object.assign(new Error('syntax error'), { code: '42601' }), false],
  ])('classifies %s as connection error: %s', (_, error, expected) => {
    expect(isConnectionError(error)).toBe(expected);
  });

  it("logs the driver's error for a failed write, never the query parameters that hold the batch's inputs", () => {
    const wrapped = new Error(
      'Failed query: insert into prediction_logs ...\nparams: [{"inputs":{"email":"a@b.c"}}]',
      {
        cause: connectionRefused(),
      },
    );
    expect(describeWriteError(wrapped)).toEqual({
      error: 'connect ECONNREFUSED 127.0.0.1:5432',
      code: 'ECONNREFUSED',
    });
    expect(JSON.stringify(describeWriteError(new Error('line one\nparams: secret')))).not.toContain('secret');
  });
});

describe('serving settings from the configuration', () => {
  it('spill under <MLOPS_HOME>/serving by default, bounded at 1 GiB, and take the PII key the workers use', () => {
    const key = 'k'.repeat(32);
    const settings = servingSettings(loadConfig({ MLOPS_HOME: '/srv/mlops', MLOPS_PII_HMAC_KEY: key }));
    expect(settings.predictionLog.spill).toEqual({ directory: '/srv/mlops/serving', maxBytes: 1024 ** 3 });
    expect(settings.piiHmacKey).toBe(key);
    const configured = servingSettings(
      loadConfig({ MLOPS_PREDICTION_SPILL_DIR: '/var/spill', MLOPS_PREDICTION_SPILL_MAX_BYTES: '2097152' }),
    );
    expect(configured.predictionLog.spill).toEqual({ directory: '/var/spill', maxBytes: 2097152 });
  });
});
