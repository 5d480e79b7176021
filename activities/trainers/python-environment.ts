import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { baseEnvironment } from './base-environment.js';
import { TrainerError } from './errors.js';

export interface PythonEnvironment {
  /** Put first on the command's PATH: its `python3` is the environment's. */
  readonly binDirectory: string;
  /** sha256 of the Python version and the requirements: the environment's identity. */
  readonly key: string;
  readonly pythonVersion: string;
  /** What was installed, resolved (`pip freeze`), for lineage. */
  readonly packages: readonly string[];
  readonly installer: 'uv' | 'pip';
  readonly reused: boolean;
}

const INSTALL_TIMEOUT_MS = 30 * 60 * 1000;

/** Where a worker keeps its environments: `$XDG_CACHE_HOME/mlops/python-environments` (or ~/.cache/...). */
export function pythonEnvironmentCache(): string {
  const cacheHome = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cacheHome, 'mlops', 'python-environments');
}

/**
 * A virtual environment with `requirements` (pip's requirements format) installed, built once per
 * worker for each Python version and requirements text and reused after that. Built in place
 * under a lock file (a virtual environment cannot move once made), with uv when the worker has
 * it, else with the venv module and pip. A requirement that cannot be installed is a TrainerError
 * quoting the installer.
 */
export async function pythonEnvironment(
  requirements: string,
  options: {
    readonly cacheRoot?: string;
    readonly log: (line: string) => void;
    readonly signal: AbortSignal;
  },
): Promise<PythonEnvironment> {
  const root = options.cacheRoot ?? pythonEnvironmentCache();
  const pythonVersion = await workerPythonVersion();
  const key = createHash('sha256').update(`python ${pythonVersion}\n${requirements}`).digest('hex');
  const directory = path.join(root, key.slice(0, 32));
  const manifest = path.join(directory, 'mlops-environment.json');
  await mkdir(root, { recursive: true });
  const lock = await takeLock(`${directory}.lock`, options.signal);
  try {
    if (existsSync(manifest)) {
      const built = JSON.parse(await readFile(manifest, 'utf8')) as Omit<PythonEnvironment, 'reused'>;
      return { ...built, reused: true };
    }
    await rm(directory, { recursive: true, force: true });
    const requirementsFile = `${directory}.requirements.txt`;
    await writeFile(requirementsFile, requirements);
    const uv = await which('uv');
    options.log(`[environment] building a Python ${pythonVersion} environment with ${uv ? 'uv' : 'pip'}`);
    const python = path.join(directory, 'bin', 'python');
    try {
      if (uv) {
        await run(uv, ['venv', '--quiet', '--python', 'python3', directory], options);
        await run(uv, ['pip', 'install', '--quiet', '--python', python, '-r', requirementsFile], options);
      } else {
        await run('python3', ['-m', 'venv', directory], options);
        await run(
          python,
          [
            '-m',
            'pip',
            'install',
            '--quiet',
            '--disable-pip-version-check',
            '--no-input',
            '-r',
            requirementsFile,
          ],
          options,
        );
      }
      const frozen = uv
        ? await run(uv, ['pip', 'freeze', '--python', python], options)
        : await run(python, ['-m', 'pip', 'freeze', '--disable-pip-version-check'], options);
      const built: Omit<PythonEnvironment, 'reused'> = {
        binDirectory: path.join(directory, 'bin'),
        key,
        pythonVersion,
        packages: frozen.split('\n').filter((line) => line.trim().length > 0),
        installer: uv ? 'uv' : 'pip',
      };
      // Written last: an environment without its manifest is half-built and is built again.
      await writeFile(manifest, JSON.stringify(built, null, 2));
      options.log(`[environment] ${built.packages.length} packages installed`);
      return { ...built, reused: false };
    } catch (error) {
      await rm(directory, { recursive: true, force: true });
      if (error instanceof InstallerError)
        throw new TrainerError(
          `the Python requirements could not be installed (fix train.python): ${error.message}`,
        );
      throw error;
    } finally {
      await rm(requirementsFile, { force: true });
    }
  } finally {
    await lock.release();
  }
}

class InstallerError extends Error {}

/**
 * The version of the worker's `python3`, asked once per process (a pyenv shim takes a quarter of
 * a second to answer, on every stage otherwise): a worker's Python is not upgraded under it, and
 * a restarted worker asks again. A failed answer is not kept. Shared by concurrent stages, so no
 * one stage's cancellation signal stops it.
 */
let askedPythonVersion: Promise<string> | undefined;
function workerPythonVersion(): Promise<string> {
  const question = { signal: new AbortController().signal };
  askedPythonVersion ??= run('python3', ['-c', 'import sys; print(sys.version.split()[0])'], question)
    .then((output) => output.trim())
    .catch((error: unknown) => {
      askedPythonVersion = undefined;
      throw error;
    });
  return askedPythonVersion;
}

/**
 * One builder per environment on a worker (several activities may ask at once): the lock file
 * holds the builder's pid; a lock whose process is gone is stale and taken over.
 */
async function takeLock(file: string, signal: AbortSignal): Promise<{ release(): Promise<void> }> {
  for (;;) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
      return { release: () => rm(file, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(await readFile(file, 'utf8').catch(() => ''));
    if (!Number.isInteger(holder) || holder <= 0 || !isAlive(holder)) {
      await rm(file, { force: true });
      continue;
    }
    await sleep(1000, undefined, { signal });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function which(program: string): Promise<string | undefined> {
  for (const folder of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(folder, program);
    if (folder && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Runs an installer step; its output's end is the message when it fails. */
function run(
  program: string,
  args: readonly string[],
  options: { readonly signal: AbortSignal },
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      program,
      [...args],
      {
        signal: options.signal,
        timeout: INSTALL_TIMEOUT_MS,
        maxBuffer: 64 * 1024 * 1024,
        // Requirements may build from source, which runs their code: no platform credentials.
        env: baseEnvironment(),
      },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        if ((error as NodeJS.ErrnoException).code === 'ENOENT')
          return reject(
            new TrainerError(
              `${program} was not found on the worker: train.python needs python3 (with venv) there`,
            ),
          );
        if (options.signal.aborted) return reject(error);
        const output = `${stdout}\n${stderr}`.trim().split('\n').slice(-15).join('\n');
        reject(
          new InstallerError(`${path.basename(program)} ${args.slice(0, 2).join(' ')} failed:\n${output}`),
        );
      },
    );
  });
}
