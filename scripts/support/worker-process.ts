/** Worker processes for the chaos and load runs: real `mlops worker --pool cpu|gpu`, as a deployment runs them. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';

export interface WorkerProcess {
  readonly pool: 'cpu' | 'gpu';
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
}

/**
 * Starts a worker with `env` (the stack's connection variables and the run's task queue); its
 * output goes to `<home>/logs/<logName>`.
 */
export function spawnWorker(
  env: Record<string, string | undefined>,
  home: string,
  logName: string,
  pool: 'cpu' | 'gpu' = 'cpu',
): WorkerProcess {
  const log = createWriteStream(path.join(home, 'logs', logName), { flags: 'a' });
  const child = spawn(process.execPath, [path.resolve('cli/mlops.mjs'), 'worker', '--pool', pool], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { pool, child, exited };
}
