import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Integrates a GPU's power draw (nvidia-smi, every `intervalMs`) over a stage, for its energy
 * estimate. Where nvidia-smi is missing (MLOPS_GPUS on a machine without GPUs) it reports null.
 */
export function sampleGpuEnergy(device: number, intervalMs = 2000): { stop(): Promise<number | null> } {
  let joules = 0;
  let lastSample = performance.now();
  let readable = true;
  let pending: Promise<void> = Promise.resolve();
  const sample = async () => {
    try {
      const { stdout } = await run(
        'nvidia-smi',
        ['--query-gpu=power.draw', '--format=csv,noheader,nounits', '-i', String(device)],
        { timeout: 5000 },
      );
      const watts = Number.parseFloat(stdout.trim());
      const now = performance.now();
      if (Number.isFinite(watts)) joules += (watts * (now - lastSample)) / 1000;
      lastSample = now;
    } catch {
      readable = false;
    }
  };
  const timer = setInterval(() => {
    if (readable) pending = pending.then(sample);
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      if (readable) pending = pending.then(sample);
      await pending;
      return readable ? joules : null;
    },
  };
}
