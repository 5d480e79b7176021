import { Connection } from '@temporalio/client';
import { cliSearchAttributeType, platformSearchAttributes } from '../contracts/search-attributes.js';
import { onRestart, startChild, type RestartEvent } from './child-process.js';
import { freePort, waitUntil } from './processes.js';

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
  /** The codec server the UI asks to decode payloads (codec/server.ts). */
  codecEndpoint?: string;
  /** Told when the dev server died and its helper started it again (on the same SQLite file). */
  onRestart?: (event: RestartEvent) => void;
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
    ...(options.codecEndpoint ? ['--ui-codec-endpoint', options.codecEndpoint] : []),
    ...platformSearchAttributes.flatMap((key) => [
      '--search-attribute',
      `${key.name}=${cliSearchAttributeType(key.type)}`,
    ]),
  ];
  const child = await startChild<{ pid: number }>(
    './supervise.mjs',
    [options.logFile, options.binary, ...args],
    {
      name: 'Temporal dev server',
      logFile: options.logFile,
      timeoutMs: 10_000,
    },
  );
  if (options.onRestart) onRestart(child.process, options.onRestart);
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
