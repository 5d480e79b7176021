import { mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { PredictionLogRow } from '../db/queries/serving.js';
import {
  claimSlot,
  existingSlots,
  lockSlot,
  SlotInUseError,
  syncFolder,
  unlockSlot,
} from './spill-folders.js';

export interface PredictionSpillSettings {
  /**
   * The server's own folder. A second live server given the same one spills into a `replica-<n>/`
   * folder under it (spill-folders.ts).
   */
  readonly directory: string;
  /** Past this size the spill takes no new predictions (they are refused with 503). */
  readonly maxBytes: number;
}

export const SPILL_FILE = 'prediction-log.spill.jsonl';
const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * The prediction log's local, durable overflow while PostgreSQL is unreachable: an append-only
 * file of JSON lines, one prediction_logs row a line. `append` returns once the rows are written
 * and fsync'd, so a row it acknowledged survives a crash of the process or of the machine;
 * replaying reads from an offset, and the file is emptied only once everything in it was read
 * and written to the database (rows carry their prediction id, so a replay repeated after a
 * crash inserts nothing twice). File operations run one at a time, in order.
 */
export class PredictionSpill {
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly file: FileHandle,
    private readonly directory: string,
    readonly filePath: string,
    private size: number,
    private lines: number,
  ) {}

  /**
   * Opens (or creates) the spill of a free slot of `directory`, locked for this process, and
   * moves into it what servers that are gone left in the other slots. A tail without its line
   * break is a write that a crash interrupted before it was acknowledged (its request was never
   * answered), so it is cut off.
   */
  static async open(settings: PredictionSpillSettings): Promise<PredictionSpill> {
    const root = path.resolve(settings.directory);
    await mkdir(root, { recursive: true, mode: 0o700 });
    const directory = await claimSlot(root);
    try {
      const filePath = path.join(directory, SPILL_FILE);
      const file = await open(filePath, 'a+', 0o600);
      try {
        await syncFolder(directory);
        const { size, lines } = await completeLines(file);
        const spill = new PredictionSpill(file, directory, filePath, size, lines);
        for (const slot of await existingSlots(root)) if (slot !== directory) await spill.adopt(slot);
        return spill;
      } catch (error) {
        await file.close();
        throw error;
      }
    } catch (error) {
      await unlockSlot(directory);
      throw error;
    }
  }

  /**
   * Appends the complete lines of a free slot's spill (a server that is gone) to this one, fsync'd,
   * and only then empties that file: a crash in between leaves rows in both, and a replay skips ids
   * already written.
   */
  private async adopt(slot: string): Promise<void> {
    try {
      await lockSlot(slot);
    } catch (error) {
      if (error instanceof SlotInUseError) return;
      throw error;
    }
    try {
      const orphan = await open(path.join(slot, SPILL_FILE), 'r+').catch(() => undefined);
      if (!orphan) return;
      try {
        const { size, lines } = await completeLines(orphan);
        if (size === 0) return;
        const chunk = Buffer.alloc(READ_CHUNK_BYTES);
        for (let position = 0; position < size;) {
          const { bytesRead } = await orphan.read(
            chunk,
            0,
            Math.min(chunk.length, size - position),
            position,
          );
          if (bytesRead === 0) break;
          await this.file.write(chunk, 0, bytesRead);
          position += bytesRead;
        }
        await this.file.datasync();
        this.size += size;
        this.lines += lines;
        await orphan.truncate(0);
        await orphan.datasync();
      } finally {
        await orphan.close();
      }
    } finally {
      await unlockSlot(slot);
    }
  }

  get bytes(): number {
    return this.size;
  }

  /** Rows in the file (replayed or not): the file is emptied once all of them are in the database. */
  get rows(): number {
    return this.lines;
  }

  /** Appends rows and waits for fsync; on failure the file is cut back to what it held before. */
  append(rows: readonly PredictionLogRow[]): Promise<void> {
    return this.serially(async () => {
      if (rows.length === 0) return;
      const text = rows.map((row) => `${JSON.stringify(row)}\n`).join('');
      const bytes = Buffer.from(text, 'utf8');
      const before = this.size;
      try {
        // 'a+' appends every write at the end, whatever the position given.
        await this.file.write(bytes, 0, bytes.length);
        await this.file.datasync();
      } catch (error) {
        await this.file.truncate(before).catch(() => undefined);
        throw error;
      }
      this.size += bytes.length;
      this.lines += rows.length;
    });
  }

  /**
   * Up to `maxRows` rows from byte `offset`, and the offset after them. Lines that are not rows
   * (which only a damaged disk makes) are counted in `unreadable` and passed over.
   */
  async read(
    offset: number,
    maxRows: number,
  ): Promise<{ rows: PredictionLogRow[]; next: number; unreadable: number }> {
    const rows: PredictionLogRow[] = [];
    let unreadable = 0;
    let position = offset;
    let pending = Buffer.alloc(0);
    const end = this.size;
    while (position < end && rows.length < maxRows) {
      const chunk = Buffer.alloc(Math.min(READ_CHUNK_BYTES, end - position));
      const { bytesRead } = await this.file.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) break;
      const buffer = pending.length > 0 ? Buffer.concat([pending, chunk.subarray(0, bytesRead)]) : chunk;
      const start = position - pending.length;
      position += bytesRead;
      let lineStart = 0;
      for (let index = buffer.indexOf(10); index >= 0; index = buffer.indexOf(10, lineStart)) {
        if (rows.length === maxRows) return { rows, next: start + lineStart, unreadable };
        const row = parseRow(buffer.subarray(lineStart, index).toString('utf8'));
        if (row) rows.push(row);
        else unreadable += 1;
        lineStart = index + 1;
      }
      pending = buffer.subarray(lineStart);
    }
    return { rows, next: position - pending.length, unreadable };
  }

  /** Empties the file when everything up to its end was replayed; false when rows came since. */
  emptyIfReplayedTo(offset: number): Promise<boolean> {
    return this.serially(async () => {
      if (offset < this.size) return false;
      await this.file.truncate(0);
      await this.file.datasync();
      this.size = 0;
      this.lines = 0;
      return true;
    });
  }

  /** Closes the file (what it holds stays for the next server) and unlocks the folder. */
  close(): Promise<void> {
    return this.serially(async () => {
      if (this.closed) return;
      this.closed = true;
      await this.file.close();
      await unlockSlot(this.directory);
    });
  }

  private serially<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.chain.then(() => {
      if (this.closed) throw new Error('the prediction spill is closed');
      return operation();
    });
    this.chain = result.catch(() => undefined);
    return result;
  }
}

function parseRow(line: string): PredictionLogRow | undefined {
  try {
    const value = JSON.parse(line) as Record<string, unknown>;
    if (typeof value.predictionId !== 'string' || typeof value.modelVersionId !== 'number') return undefined;
    return { ...(value as unknown as PredictionLogRow), createdAt: new Date(String(value.createdAt)) };
  } catch {
    return undefined;
  }
}

/** The file's size up to its last line break (cutting off a torn tail) and its line count. */
async function completeLines(file: FileHandle): Promise<{ size: number; lines: number }> {
  const { size } = await file.stat();
  let lines = 0;
  let complete = 0;
  const chunk = Buffer.alloc(READ_CHUNK_BYTES);
  for (let position = 0; position < size;) {
    const { bytesRead } = await file.read(chunk, 0, Math.min(chunk.length, size - position), position);
    if (bytesRead === 0) break;
    for (
      let index = chunk.indexOf(10);
      index >= 0 && index < bytesRead;
      index = chunk.indexOf(10, index + 1)
    ) {
      lines += 1;
      complete = position + index + 1;
    }
    position += bytesRead;
  }
  if (complete < size) {
    await file.truncate(complete);
    await file.datasync();
  }
  return { size: complete, lines };
}
