import { mkdir, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ScratchSpace } from '../activities/dependencies.js';

/** Where a CPU worker's scratch space lives (activities/dependencies.ts says what it is for). */

const ROOT = path.join(os.tmpdir(), 'mlops-scratch');

export function scratchQueueName(cpuQueue: string, identity: string): string {
  return `${cpuQueue}-scratch-${identity.replace(/[^A-Za-z0-9._-]+/g, '-')}`;
}

/** Creates this worker's scratch folder, removing those left by dead workers on this host. */
export async function prepareScratchSpace(cpuQueue: string, identity: string): Promise<ScratchSpace> {
  await mkdir(ROOT, { recursive: true, mode: 0o700 });
  for (const entry of await readdir(ROOT)) {
    const pid = Number(entry.split('-').pop());
    if (Number.isInteger(pid) && pid !== process.pid && !isAlive(pid))
      await rm(path.join(ROOT, entry), { recursive: true, force: true });
  }
  const directory = path.join(ROOT, `${os.hostname().replace(/[^A-Za-z0-9.-]+/g, '-')}-${process.pid}`);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  return { taskQueue: scratchQueueName(cpuQueue, identity), directory };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function removeScratchSpace(space: ScratchSpace): Promise<void> {
  await rm(space.directory, { recursive: true, force: true });
}
