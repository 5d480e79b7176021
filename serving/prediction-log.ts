import type { Logger } from '../config/logger.js';
import type { PredictionLogRow } from '../db/queries/serving.js';
import { HttpError } from './http-errors.js';
import type { ServingMetrics } from './metrics.js';

export interface PredictionLogSettings {
  /** Rows held in memory at most (queued plus being written); a request that does not fit waits. */
  readonly capacity: number;
  /** A batch is written as soon as this many rows wait, or after `flushIntervalMs`. */
  readonly batchRows: number;
  readonly flushIntervalMs: number;
  /** How long a request waits for room before it is refused with 503 (and nothing is answered). */
  readonly maxWaitMs: number;
}

interface Waiter {
  readonly rows: readonly PredictionLogRow[];
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * The bounded in-memory queue between answered predictions and prediction_logs. A request puts its
 * rows here before it is answered; when the queue is full the request waits for room (backpressure)
 * and, after `maxWaitMs`, gets a 503 instead of an answer, so no answered prediction goes unlogged
 * for lack of room. One batch is written at a time, in arrival order; a failed write is retried
 * with its rows kept. `close` writes everything left (shutdown).
 */
export class PredictionLog {
  private readonly queue: PredictionLogRow[] = [];
  private writing: readonly PredictionLogRow[] = [];
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private retryDelayMs = 0;
  private accepted = 0;
  private written = 0;
  private readonly writtenWaiters: { target: number; resolve: () => void }[] = [];
  private writeLoop: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly write: (rows: readonly PredictionLogRow[]) => Promise<void>,
    private readonly settings: PredictionLogSettings,
    private readonly metrics: ServingMetrics,
    private readonly log: Logger,
  ) {}

  /** Rows in memory: queued and being written. */
  get depth(): number {
    return this.queue.length + this.writing.length;
  }

  /**
   * Takes a request's rows. Returns undefined when they were taken at once (the common case, no
   * promise allocated), or a promise that settles when there was room (or rejects with a 503).
   */
  enqueue(rows: readonly PredictionLogRow[]): Promise<void> | undefined {
    if (this.waiters.length === 0 && this.fits(rows.length)) {
      this.accept(rows);
      return undefined;
    }
    this.metrics.logWaits.inc([]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(
          new HttpError(
            503,
            'overloaded',
            `the prediction log is behind (${this.depth} rows waiting to be written): retry shortly`,
            [],
            { 'retry-after': '1' },
          ),
        );
      }, this.settings.maxWaitMs);
      const waiter: Waiter = { rows, resolve, reject, timer };
      this.waiters.push(waiter);
      this.startWriting();
    });
  }

  /** Settles once every row taken before this call is written. */
  flushed(): Promise<void> {
    if (this.written >= this.accepted) return Promise.resolve();
    const target = this.accepted;
    return new Promise((resolve) => {
      this.writtenWaiters.push({ target, resolve });
      this.startWriting();
    });
  }

  /**
   * Writes everything queued, retrying failed writes until `deadlineMs` has passed; rows still
   * unwritten then are counted as dropped and reported (the only way a row can be lost).
   */
  async close(deadlineMs: number): Promise<{ dropped: number }> {
    const deadline = Date.now() + deadlineMs;
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.depth > 0 || this.waiters.length > 0) {
      if (Date.now() > deadline) break;
      this.startWriting();
      await this.writeLoop;
      if (this.retryDelayMs > 0) await sleep(Math.min(this.retryDelayMs, Math.max(0, deadline - Date.now())));
    }
    this.closed = true;
    clearTimeout(this.timer);
    const dropped = this.depth + this.waiters.reduce((sum, waiter) => sum + waiter.rows.length, 0);
    if (dropped > 0) {
      this.metrics.logDropped.inc([], dropped);
      this.log.error({ dropped }, 'prediction log: rows could not be written before the shutdown deadline');
    }
    return { dropped };
  }

  private fits(count: number): boolean {
    // A request larger than the whole queue still goes through, alone, rather than never.
    return this.depth + count <= this.settings.capacity || this.depth === 0;
  }

  private accept(rows: readonly PredictionLogRow[]): void {
    for (const row of rows) this.queue.push(row);
    this.accepted += rows.length;
    if (this.queue.length >= this.settings.batchRows) this.startWriting();
    else if (!this.timer && !this.writeLoop)
      this.timer = setTimeout(() => this.startWriting(), this.settings.flushIntervalMs);
  }

  private startWriting(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.writeLoop ??= this.writeBatches().finally(() => {
      this.writeLoop = undefined;
      // Rows that arrived after the last batch wait for the next interval (or a full batch).
      if (this.queue.length > 0 && !this.timer && !this.closed)
        this.timer = setTimeout(
          () => this.startWriting(),
          this.retryDelayMs || this.settings.flushIntervalMs,
        );
    });
  }

  private async writeBatches(): Promise<void> {
    while (this.queue.length > 0) {
      this.writing = this.queue.splice(0, Math.max(this.settings.batchRows, 1));
      try {
        await this.write(this.writing);
        this.written += this.writing.length;
        this.metrics.logWritten.inc([], this.writing.length);
        this.writing = [];
        this.retryDelayMs = 0;
      } catch (error) {
        // Back in front, in order; the next attempt comes after a growing pause.
        this.queue.unshift(...this.writing);
        this.writing = [];
        this.retryDelayMs = Math.min(Math.max(this.retryDelayMs * 2, 100), 5000);
        this.metrics.logWriteFailures.inc([]);
        this.log.warn(
          { error: (error as Error).message, queued: this.queue.length, retryInMs: this.retryDelayMs },
          'prediction log: writing a batch failed; it will be retried',
        );
        return;
      } finally {
        this.admitWaiters();
      }
      this.settleFlushed();
      // Room freed by this batch lets waiting requests in, whose rows may now fill the next one.
      if (
        this.queue.length < this.settings.batchRows &&
        this.writtenWaiters.length === 0 &&
        this.waiters.length === 0
      )
        return;
    }
  }

  private admitWaiters(): void {
    while (this.waiters.length > 0 && this.fits(this.waiters[0].rows.length)) {
      const waiter = this.waiters.shift()!;
      clearTimeout(waiter.timer);
      this.accept(waiter.rows);
      waiter.resolve();
    }
  }

  private settleFlushed(): void {
    for (let index = this.writtenWaiters.length - 1; index >= 0; index -= 1) {
      const waiter = this.writtenWaiters[index];
      if (this.written >= waiter.target) {
        this.writtenWaiters.splice(index, 1);
        waiter.resolve();
      }
    }
  }
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
