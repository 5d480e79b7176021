import { mkdir, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * Who spills where. Two servers appending to and emptying one file would lose rows, so each
 * server holds a slot of the spill folder: the folder itself (the common case, one server per
 * folder), or `replica-<n>/` under it when another live server holds that (two servers sharing
 * MLOPS_HOME, say). A slot's lock file names its process; a lock left by a process that is gone,
 * or by an earlier life of this pid (a restarted container), is stale and the slot is free.
 */

const LOCK_FILE = 'prediction-log.lock';
const MAX_SLOTS = 64;

/** Slots held in this process: two servers of one process must not share one either. */
const heldInProcess = new Set<string>();

export class SlotInUseError extends Error {
  override readonly name = 'SlotInUseError';
}

/** Locks the first free slot under `root` and returns its folder. */
export async function claimSlot(root: string): Promise<string> {
  for (let index = 0; index < MAX_SLOTS; index += 1) {
    const folder = slotFolder(root, index);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    try {
      await lockSlot(folder);
      return folder;
    } catch (error) {
      if (!(error instanceof SlotInUseError)) throw error;
    }
  }
  throw new Error(`all ${MAX_SLOTS} prediction spill slots under ${root} are in use by live servers`);
}

/** The slots under `root` that exist (whoever holds them). */
export async function existingSlots(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  return [
    root,
    ...entries
      .filter((entry) => entry.isDirectory() && /^replica-\d+$/.test(entry.name))
      .map((entry) => path.join(root, entry.name)),
  ];
}

/**
 * Takes a slot's lock: created exclusively, or taken over from a process that is gone (removed,
 * then created exclusively again).
 */
export async function lockSlot(folder: string): Promise<void> {
  if (heldInProcess.has(folder)) throw new SlotInUseError(`${folder} is held by a server of this process`);
  const lockPath = path.join(folder, LOCK_FILE);
  const owner = JSON.stringify({ pid: process.pid, host: os.hostname() });
  const create = () => writeFile(lockPath, owner, { flag: 'wx', mode: 0o600 });
  try {
    await create();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = await readFile(lockPath, 'utf8')
      .then((text) => JSON.parse(text) as { pid?: number; host?: string })
      .catch(() => ({}) as { pid?: number; host?: string });
    // Another host's process cannot be checked: its lock is honoured (a folder shared over NFS).
    if (holder.host !== os.hostname() || (holder.pid !== process.pid && isAlive(holder.pid)))
      throw new SlotInUseError(`${folder} is held by process ${holder.pid} on ${holder.host}`);
    await rm(lockPath, { force: true });
    await create().catch((retry: NodeJS.ErrnoException) => {
      throw retry.code === 'EEXIST' ? new SlotInUseError(`${folder} was just taken over`) : retry;
    });
  }
  heldInProcess.add(folder);
  await syncFolder(folder);
}

export async function unlockSlot(folder: string): Promise<void> {
  heldInProcess.delete(folder);
  await rm(path.join(folder, LOCK_FILE), { force: true });
}

/** Makes the folder's entries (a new file's name) survive a crash, not only the files' content. */
export async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function slotFolder(root: string, index: number): string {
  return index === 0 ? root : path.join(root, `replica-${index}`);
}

function isAlive(pid: number | undefined): boolean {
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
