import os from 'node:os';

export type PoolName = 'cpu' | 'gpu';

/** `host/pool/pid`: enough to find the machine and process that ran a stage. */
export function workerIdentity(pool: PoolName): string {
  return `${os.hostname()}/${pool}/${process.pid}`;
}
