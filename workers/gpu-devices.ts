import { execFile } from 'node:child_process';
import { AsyncLocalStorage } from 'node:async_hooks';
import { promisify } from 'node:util';

/**
 * GPUs for the GPU pool: MLOPS_GPUS when set (so the pool can run on a machine without one),
 * otherwise what `nvidia-smi` lists; none when it is missing.
 */
export async function detectGpuDevices(override: readonly number[] | undefined): Promise<number[]> {
  if (override) return [...override];
  try {
    const { stdout } = await promisify(execFile)(
      'nvidia-smi',
      ['--query-gpu=index', '--format=csv,noheader'],
      { timeout: 10_000 },
    );
    return stdout
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => /^\d+$/.test(line))
      .map(Number);
  } catch {
    return [];
  }
}

const currentDevice = new AsyncLocalStorage<number>();

/** The GPU index the running activity holds, or undefined outside the GPU pool. */
export function currentGpuDevice(): number | undefined {
  return currentDevice.getStore();
}

/**
 * Hands each running activity a device of its own. The worker's activity slots equal the number of
 * devices, so a free one always exists when an activity starts; the check is a guard, not a queue.
 */
export class GpuDeviceAllocator {
  private readonly free: number[];

  constructor(readonly devices: readonly number[]) {
    this.free = [...devices];
  }

  async runWithDevice<T>(work: () => Promise<T>): Promise<T> {
    const device = this.free.shift();
    if (device === undefined)
      throw new Error(
        `every GPU (${this.devices.join(', ')}) is in use; the pool admitted too many activities`,
      );
    try {
      return await currentDevice.run(device, work);
    } finally {
      this.free.push(device);
      this.free.sort((a, b) => a - b);
    }
  }
}
