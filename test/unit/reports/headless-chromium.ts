/** Headless Chromium (Debian's `chromium` package) on a fresh profile, offline, for the report render tests. */

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const chromiumPath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium'].find(
  (path) => path && existsSync(path),
);

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Runs Chromium with `args` and returns its stdout. */
export async function chromium(args: string[]): Promise<string> {
  if (!chromiumPath) {
    throw new Error(
      'Chromium is not installed: the report render tests need it. Install it with `apt-get install -y chromium` ' +
        '(Debian) or point CHROMIUM_PATH at a Chromium or Chrome binary.',
    );
  }
  const profile = mkdtempSync(join(tmpdir(), 'report-chromium-'));
  try {
    const { stdout } = await run(
      chromiumPath,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--hide-scrollbars',
        `--user-data-dir=${profile}`,
        ...args,
      ],
      { timeout: 45_000, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 },
    );
    return stdout;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
