import { open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Connections } from '../config/connections.js';
import type { StackListening } from './listen.js';
import { commandLineOf, isAlive, terminate, waitUntil } from './processes.js';

/** What a running embedded stack leaves in `.mlops/stack.json` so other commands can find it. */
export interface StackState {
  readonly version: 1;
  readonly ownerPid: number;
  readonly startedAt: string;
  readonly connections: Connections;
  /** Where other machines reach it (`mlops up --listen`); absent: loopback only. */
  readonly listening?: StackListening;
  /** Every process the stack started, with a word of its command line to recognise it by. */
  readonly processes: ReadonlyArray<{
    readonly name: string;
    readonly pid: number;
    readonly commandIncludes: string;
  }>;
}

const stateFile = (home: string) => path.join(home, 'stack.json');

export async function readState(home: string): Promise<StackState | undefined> {
  try {
    const state = JSON.parse(await readFile(stateFile(home), 'utf8')) as StackState;
    return state.version === 1 ? state : undefined;
  } catch {
    return undefined;
  }
}

export async function writeState(home: string, state: StackState): Promise<void> {
  const temporary = `${stateFile(home)}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, stateFile(home));
}

export async function removeState(home: string): Promise<void> {
  await rm(stateFile(home), { force: true });
}

/** Stops what a dead stack left running, checking each pid still runs what we started. */
export async function cleanUpStaleStack(state: Pick<StackState, 'processes'>): Promise<string[]> {
  const stopped: string[] = [];
  for (const recorded of state.processes) {
    const commandLine = await commandLineOf(recorded.pid);
    if (!commandLine?.includes(recorded.commandIncludes) || !isAlive(recorded.pid)) continue;
    await terminate(recorded.pid, 15_000, recorded.name === 'postgres' ? 'SIGINT' : 'SIGTERM');
    stopped.push(`${recorded.name} (pid ${recorded.pid})`);
  }
  return stopped;
}

/**
 * A lock file so two commands starting at once do not both start a stack. A lock whose holder
 * died is taken over.
 */
export async function withStackLock<T>(home: string, work: () => Promise<T>): Promise<T> {
  const lockFile = path.join(home, 'stack.lock');
  await waitUntil(
    'the embedded stack lock',
    async () => {
      try {
        const handle = await open(lockFile, 'wx', 0o600);
        await handle.writeFile(String(process.pid));
        await handle.close();
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const holder = Number(await readFile(lockFile, 'utf8').catch(() => '0'));
        const ageMs = Date.now() - (await stat(lockFile).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
        // An empty lock is one being written right now, unless it is old: its writer died.
        if (holder ? !isAlive(holder) : ageMs > 5000) await rm(lockFile, { force: true });
        return false;
      }
    },
    { timeoutMs: 180_000, intervalMs: 200 },
  );
  try {
    return await work();
  } finally {
    await rm(lockFile, { force: true });
  }
}
