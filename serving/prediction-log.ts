import type { Logger } from '../config/logger.js';
import type { PredictionLogRow } from '../db/queries/serving.js';
import { DatabaseUnreachableError, describeWriteError, isConnectionError } from './database-errors.js';
import type { ServingMetrics } from './metrics.js';
import { MAX_RETRY_DELAY_MS, PredictionLogSpill, unavailable } from './prediction-log-spill.js';
import type { PredictionSpillSettings } from './prediction-spill.js';

export interface PredictionLogSettings {
  /** Rows held in memory at most (queued plus being written); a request that does not fit waits. */
  readonly capacity: number;
  /** A batch is written as soon as this many rows wait, or after `flushIntervalMs`. */
  readonly batchRows: number;
  readonly flushIntervalMs: number;
  /** How long a request waits for room before it is refused with 503 (and nothing is answered). */
  readonly maxWaitMs: number;
  /**
   * Where rows go, fsync'd, while PostgreSQL is unreachable. Undefined: they wait in memory only,
   * and a shutdown during an outage drops them.
   */
  readonly spill?: PredictionSpillSettings;
  /** A write that has not finished by then counts as the database being unreachable. */
  readonly writeTimeoutMs?: number;
}

interface Waiter {
  readonly rows: readonly PredictionLogRow[];
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * The path from answered predictions to prediction_logs; answered == logged.
 *
 * While PostgreSQL answers, rows wait in a bounded in-memory queue: a request puts its rows there
 * before it is answered; when the queue is full the request waits for room (backpressure) and,
 * after `maxWaitMs`, gets a 503 instead of an answer. One batch is written at a time, in arrival
 * order; a batch that fails for a data reason is retried with its rows kept.
 *
 * When a write fails because PostgreSQL cannot be reached (connection errors, a write past
 * `writeTimeoutMs`), the failed batch and the queue go to the spill file, and from then on each
 * request's rows are appended there and fsync'd before it is answered (requests arriving together
 * share one fsync). The spill is replayed into prediction_logs, with growing pauses between
 * tries, until it is empty; then rows go through memory again. Rows carry their prediction id and
 * the insert skips ids already there, so a replay repeated after a crash duplicates nothing. A
 * spill past its size bound refuses requests with 503 rather than answer what it cannot log.
 * `open` replays what an earlier server left; `close` writes everything out (to the database, or
 * to the spill when the database is away).
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
  private readonly spill: PredictionLogSpill | undefined;
  private opened = false;

  constructor(
    private readonly write: (rows: readonly PredictionLogRow[]) => Promise<void>,
    private readonly settings: PredictionLogSettings,
    private readonly metrics: ServingMetrics,
    private readonly log: Logger,
  ) {
    this.spill = settings.spill
      ? new PredictionLogSpill(settings.spill, {
          write: (rows) => this.writeInTime(rows),
          onWritten: (count) => {
            this.written += count;
            this.settleFlushed();
          },
          onTaken: (count) => (this.accepted += count),
          metrics,
          log,
        })
      : undefined;
  }

  /** Opens the spill (when configured) and starts replaying what an earlier server left in it. */
  async open(): Promise<void> {
    await this.spill?.open();
    this.opened = true;
  }

  /** Rows in memory: queued and being written. */
  get depth(): number {
    return this.queue.length + this.writing.length;
  }

  /** Rows (and bytes) in the spill file that are not in the database yet. */
  get spillDepth(): { rows: number; bytes: number } {
    return this.spill?.depth ?? { rows: 0, bytes: 0 };
  }

  /**
   * Takes a request's rows. Returns undefined when they were taken at once (the common case, no
   * promise allocated), or a promise that settles when there was room, or when they are durable
   * in the spill (or rejects with a 503).
   */
  enqueue(rows: readonly PredictionLogRow[]): Promise<void> | undefined {
    if (this.spill?.active) return this.spill.take(rows, true);
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
          unavailable(
            `the prediction log is behind (${this.depth} rows waiting to be written): retry shortly`,
          ),
        );
      }, this.settings.maxWaitMs);
      const waiter: Waiter = { rows, resolve, reject, timer };
      this.waiters.push(waiter);
      this.startWriting();
    });
  }

  /** Settles once every row taken before this call is written to the database. */
  flushed(): Promise<void> {
    if (this.written >= this.accepted) return Promise.resolve();
    const target = this.accepted;
    return new Promise((resolve) => {
      this.writtenWaiters.push({ target, resolve });
      this.startWriting();
    });
  }

  /**
   * Writes everything queued, retrying failed writes until `deadlineMs` has passed, to the spill
   * when the database is away; rows still in memory then are counted as dropped and reported
   * (without a spill, or with a spill that cannot be written, the only ways a row can be lost).
   * What the spill holds stays there for the next server.
   */
  async close(deadlineMs: number): Promise<{ dropped: number }> {
    const deadline = Date.now() + deadlineMs;
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.depth > 0 || this.waiters.length > 0 || this.spill?.busy) {
      if (Date.now() > deadline) break;
      this.startWriting();
      await this.writeLoop;
      await this.spill?.busy;
      if (this.depth > 0 && this.retryDelayMs > 0)
        await sleep(Math.min(this.retryDelayMs, Math.max(0, deadline - Date.now())));
    }
    this.closed = true;
    clearTimeout(this.timer);
    // One more try at the database for what was spilled; whatever is left waits for the next start.
    if (this.opened) await this.spill?.close(deadline);
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
        await this.writeInTime(this.writing);
        this.written += this.writing.length;
        this.metrics.logWritten.inc([], this.writing.length);
        this.writing = [];
        this.retryDelayMs = 0;
      } catch (error) {
        // Back in front, in order; the next attempt comes after a growing pause.
        this.queue.unshift(...this.writing);
        this.writing = [];
        this.retryDelayMs = Math.min(Math.max(this.retryDelayMs * 2, 100), MAX_RETRY_DELAY_MS);
        this.metrics.logWriteFailures.inc([]);
        this.log.warn(
          { ...describeWriteError(error), queued: this.queue.length, retryInMs: this.retryDelayMs },
          'prediction log: writing a batch failed; it will be retried',
        );
        if (this.spill && this.opened && isConnectionError(error)) await this.spillQueue(this.spill);
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

  /**
   * The database is away: the queue's rows (answered already) go to the spill, and so do the
   * rows of requests waiting for room and of every request from now on, until it is replayed.
   */
  private async spillQueue(spill: PredictionLogSpill): Promise<void> {
    spill.engage();
    const answered = this.queue.splice(0);
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      spill.take(waiter.rows, true).then(waiter.resolve, waiter.reject);
    }
    try {
      await spill.take(answered, false);
      this.retryDelayMs = 0;
    } catch {
      // The spill failed too (disk full, say): the rows stay in memory and the queue retries them.
      this.queue.unshift(...answered);
    }
  }

  /** The write, failed as "unreachable" when it hangs past the timeout (its rows are kept either way). */
  private async writeInTime(rows: readonly PredictionLogRow[]): Promise<void> {
    const limit = this.settings.writeTimeoutMs;
    if (!limit) return this.write(rows);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new DatabaseUnreachableError(`writing the prediction log took over ${limit} ms`)),
        limit,
      );
    });
    try {
      await Promise.race([this.write(rows), timeout]);
    } finally {
      clearTimeout(timer);
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
