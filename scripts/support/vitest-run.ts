import { spawn } from 'node:child_process';
import path from 'node:path';

/**
 * Runs vitest's integration project on `files` in a process of its own with exactly `env` (its
 * output goes to this terminal); true when every test passed. The test:compat and test:cluster
 * scripts run their suites so, each on a stack home and services of its own.
 */
export function runIntegrationFiles(files: readonly string[], env: NodeJS.ProcessEnv): Promise<boolean> {
  const child = spawn(
    process.execPath,
    [path.resolve('node_modules/vitest/vitest.mjs'), 'run', '--project', 'integration', ...files],
    { env, stdio: 'inherit' },
  );
  return new Promise((resolve) => child.once('exit', (code) => resolve(code === 0)));
}
