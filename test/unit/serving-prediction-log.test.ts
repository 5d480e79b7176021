import { describe, expect, it } from 'vitest';
import { createLogger } from '../../config/logger.js';
import type { PredictionLogRow } from '../../db/queries/serving.js';
import { HttpError } from '../../serving/http-errors.js';
import { ServingMetrics } from '../../serving/metrics.js';
import { PredictionLog, type PredictionLogSettings } from '../../serving/prediction-log.js';

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
