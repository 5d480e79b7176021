import type { Logger } from '../config/logger.js';
import type { PredictionLogRow } from '../db/queries/serving.js';
import { describeWriteError } from './database-errors.js';
import { HttpError } from './http-errors.js';
import type { ServingMetrics } from './metrics.js';
import { PredictionSpill, type PredictionSpillSettings } from './prediction-spill.js';

interface SpillEntry {
  readonly rows: readonly PredictionLogRow[];
  /** A request's rows, not answered yet: refused past the bound, counted as taken once durable. */
  readonly fresh: boolean;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

export const MAX_RETRY_DELAY_MS = 5000;

/**
 * The prediction log's side of its spill file while PostgreSQL is unreachable: it appends rows
 * (everything that arrives during one fsync shares the next one) and replays the file into the
 * database, with growing pauses between tries, until it is empty. `active` is true from the
 * first connection failure (or a spill found at start) until a replay emptied the file; while it
 * is, the prediction log sends every request's rows here instead of to memory.
 */
export class PredictionLogSpill {
  private spill: PredictionSpill | undefined;
  private engaged = false;
  private readonly pending: SpillEntry[] = [];
  private appending: Promise<void> | undefined;
  private replayOffset = 0;
  private replayedRows = 0;
  private replayDelayMs = 0;
  private replayTimer: NodeJS.Timeout | undefined;
  private replaying: Promise<void> | undefined;
  /** Replaying stops between batches after this time (the shutdown deadline). */
  private replayUntil = Infinity;
  private closed = false;

  constructor(
    private readonly settings: PredictionSpillSettings,
    private readonly deps: {
      /** The prediction log's write (with its timeout); inserts skip prediction ids already there. */
      readonly write: (rows: readonly PredictionLogRow[]) => Promise<void>;
      /** Spilled rows reached the database (replayed). */
      readonly onWritten: (rows: number) => void;
      /** Rows the prediction log had not counted yet are here: requests' rows, an earlier server's. */
      readonly onTaken: (rows: number) => void;
      readonly metrics: ServingMetrics;
      readonly log: Logger;
    },
  ) {}

  /** Opens the file, and replays what an earlier server left in it. */
  async open(): Promise<void> {
    if (this.spill) return;
    this.spill = await PredictionSpill.open(this.settings);
    if (this.spill.rows > 0) {
      this.deps.log.warn(
        { rows: this.spill.rows, file: this.spill.filePath },
        'prediction log: replaying predictions spilled while the database was unreachable',
      );
      // Counted as taken, so waiting for "everything taken is written" waits for these too.
      this.deps.onTaken(this.spill.rows);
      this.engaged = true;
      this.scheduleReplay(0);
    }
  }

  get active(): boolean {
    return this.engaged;
  }

  /** Whether an append is under way (a shutdown waits for it). */
  get busy(): Promise<void> | undefined {
    return this.appending;
  }

  /** Rows (and bytes) in the file that are not in the database yet. */
  get depth(): { rows: number; bytes: number } {
    return {
      rows: this.spill ? this.spill.rows - this.replayedRows : 0,
      bytes: this.spill?.bytes ?? 0,
    };
  }

  /** From now on rows come here: the database was found unreachable. */
  engage(): void {
    this.engaged = true;
  }

  /**
   * Settles once the rows are written and fsync'd. A request's rows (`fresh`) are refused with
   * 503 once the file is past its bound, or when it cannot be written; rows already answered are
   * taken past the bound (refusing them would lose them), and a failure is the caller's to handle.
   */
  take(rows: readonly PredictionLogRow[], fresh: boolean): Promise<void> {
    if (!this.spill) return Promise.reject(new Error('the prediction spill is not open'));
    if (fresh && (this.closed || this.spill.bytes >= this.settings.maxBytes)) {
      return Promise.reject(
        unavailable(
          `the prediction log cannot reach the database and its spill file is full (${this.spill.bytes} bytes): retry shortly`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ rows, fresh, resolve, reject });
      this.appending ??= this.appendPending().finally(() => (this.appending = undefined));
    });
  }

  /**
   * One more replay, until `deadline` (stopping between batches), then the file is closed:
   * whatever it still holds stays for the next server.
   */
  async close(deadline: number): Promise<void> {
    await this.appending;
    clearTimeout(this.replayTimer);
    this.replayTimer = undefined;
    this.replayUntil = deadline;
    if (this.engaged && Date.now() < deadline) await this.replay();
    this.closed = true;
    await this.replaying;
    const left = this.depth.rows;
    await this.spill?.close();
    if (left > 0)
      this.deps.log.warn(
        { rows: left, file: this.spill?.filePath },
        'prediction log: spilled predictions stay on disk until the next start replays them',
      );
  }

  private async appendPending(): Promise<void> {
    while (this.pending.length > 0) {
      const group = this.pending.splice(0);
      const rows = group.flatMap((entry) => entry.rows);
      try {
        await this.spill!.append(rows);
      } catch (error) {
        this.deps.log.error(
          { error: (error as Error).message, rows: rows.length },
          'prediction log: writing to the spill file failed',
        );
        const refusal = unavailable(
          'the prediction log can reach neither the database nor its spill file: retry shortly',
        );
        for (const entry of group) entry.reject(refusal);
        continue;
      }
      this.deps.onTaken(group.reduce((sum, entry) => sum + (entry.fresh ? entry.rows.length : 0), 0));
      this.deps.metrics.logSpilled.inc([], rows.length);
      // Rows in the file again (even just after a replay emptied it): they are replayed.
      this.engaged = true;
      this.scheduleReplay();
      for (const entry of group) entry.resolve();
    }
  }

  private scheduleReplay(delayMs = this.replayDelayMs): void {
    if (this.closed || this.replaying || this.replayTimer) return;
    this.replayTimer = setTimeout(() => {
      this.replayTimer = undefined;
      void this.replay();
    }, delayMs);
    this.replayTimer.unref();
  }

  private replay(): Promise<void> {
    this.replaying ??= this.replayBatches()
      .catch((error: unknown) => {
        // Reading the file failed: the rows stay in it, and the next try reads them again.
        this.replayDelayMs = MAX_RETRY_DELAY_MS;
        this.deps.log.error(
          { error: (error as Error).message },
          'prediction log: reading the spill file failed',
        );
      })
      .finally(() => {
        this.replaying = undefined;
        if (this.engaged) this.scheduleReplay();
      });
    return this.replaying;
  }

  /** Batch by batch from where the last replay stopped, until the file is empty or a write fails. */
  private async replayBatches(): Promise<void> {
    const spill = this.spill!;
    const batchRows = 1000;
    while (Date.now() <= this.replayUntil) {
      const batch = await spill.read(this.replayOffset, batchRows);
      if (batch.unreadable > 0) {
        // Only a damaged disk makes lines that are not rows; nothing can be made of them.
        this.deps.metrics.logDropped.inc([], batch.unreadable);
        this.deps.log.error(
          { lines: batch.unreadable },
          'prediction log: spill lines that are not rows were skipped',
        );
      }
      if (batch.rows.length === 0) {
        this.replayOffset = batch.next;
        this.replayedRows += batch.unreadable;
        // Rows appended since the read are read next; an empty file goes back to memory.
        if (!(await spill.emptyIfReplayedTo(this.replayOffset))) continue;
        this.replayOffset = 0;
        this.replayedRows = 0;
        this.engaged = false;
        this.deps.log.info('prediction log: every spilled prediction is in the database');
        return;
      }
      try {
        await this.deps.write(batch.rows);
      } catch (error) {
        this.replayDelayMs = Math.min(Math.max(this.replayDelayMs * 2, 100), MAX_RETRY_DELAY_MS);
        this.deps.metrics.logWriteFailures.inc([]);
        this.deps.log.warn(
          { ...describeWriteError(error), spilled: this.depth.rows, retryInMs: this.replayDelayMs },
          'prediction log: replaying the spill failed; it will be retried',
        );
        return;
      }
      this.replayDelayMs = 0;
      this.replayOffset = batch.next;
      this.replayedRows += batch.rows.length + batch.unreadable;
      this.deps.metrics.logWritten.inc([], batch.rows.length);
      this.deps.metrics.logReplayed.inc([], batch.rows.length);
      this.deps.onWritten(batch.rows.length);
    }
  }
}

export function unavailable(message: string): HttpError {
  return new HttpError(503, 'overloaded', message, [], { 'retry-after': '1' });
}
