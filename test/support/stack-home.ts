import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { isAlive } from '../../stack/processes.js';
import { cleanUpStaleStack, readState } from '../../stack/state.js';

/**
 * Removes an embedded stack's state folder and what it keeps elsewhere (PostgreSQL's data lives
 * under the temp folder where the checkout is closed to other users), after stopping anything a
 * dead owner left running. A stack still owned by a live process is left alone; returns whether
 * the folder was removed.
 */
export async function removeStackHome(home: string): Promise<boolean> {
  const state = await readState(home);
  if (state && isAlive(state.ownerPid)) return false;
  if (state) await cleanUpStaleStack(state);
  const relocated = await readFile(path.join(home, 'postgres', 'DATA_LOCATION'), 'utf8').catch(
    () => undefined,
  );
  if (relocated) await rm(path.dirname(relocated.trim()), { recursive: true, force: true });
  await rm(home, { recursive: true, force: true });
  return true;
}
