/**
 * The Temporal server itself (not the CLI's dev server): `go install` of the server and its SQL
 * schema tool at one pinned version, into a user cache shared by every clone
 * (`$XDG_CACHE_HOME/mlops/temporal-server/<version>`), with the PostgreSQL schema files of the
 * same version beside them. Built aside and renamed into place, so an interrupted build is never
 * taken for a finished one. About 3 minutes on 2 cores the first time, nothing after.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The release built; docker-compose.yml runs the image of the same version. */
export const TEMPORAL_SERVER_VERSION = '1.32.0';

/**
 * v1.32's go.mod asks for Go 1.26.10; this machine kind has 1.26.8 and the module proxy serves
 * go1.27.3 as a toolchain module, so the go command fetches that one (GOTOOLCHAIN overrides).
 */
const DEFAULT_GO_TOOLCHAIN = 'go1.27.3';

export interface TemporalServerBuild {
  readonly version: string;
  /** `temporal-server` (the module's cmd/server). */
  readonly server: string;
  /** `temporal-sql-tool` (cmd/tools/sql). */
  readonly sqlTool: string;
  /** schema/postgresql/v12 of the same release: `temporal/` and `visibility/`, each with `versioned/`. */
  readonly schemaDirectory: string;
  /** Seconds the build took; 0 when it was cached. */
  readonly builtSeconds: number;
}

export function serverCacheDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cache, 'mlops', 'temporal-server', TEMPORAL_SERVER_VERSION);
}

function buildPaths(folder: string) {
  return {
    server: path.join(folder, 'bin', 'server'),
    sqlTool: path.join(folder, 'bin', 'sql'),
    schemaDirectory: path.join(folder, 'schema', 'postgresql', 'v12'),
  };
}

export async function ensureTemporalServer(log: (line: string) => void): Promise<TemporalServerBuild> {
  const folder = serverCacheDirectory();
  const paths = buildPaths(folder);
  if (existsSync(paths.server) && existsSync(paths.sqlTool) && existsSync(paths.schemaDirectory))
    return { version: TEMPORAL_SERVER_VERSION, ...paths, builtSeconds: 0 };

  const go = await goCommand();
  const started = performance.now();
  await mkdir(path.dirname(folder), { recursive: true });
  const building = await mkdtemp(`${folder}.building-`);
  try {
    const env = {
      ...process.env,
      GOBIN: path.join(building, 'bin'),
      GOTOOLCHAIN: process.env.GOTOOLCHAIN || DEFAULT_GO_TOOLCHAIN,
      CGO_ENABLED: '0',
    };
    for (const command of ['cmd/server', 'cmd/tools/sql']) {
      const module = `go.temporal.io/server/${command}@v${TEMPORAL_SERVER_VERSION}`;
      log(`building ${module} with ${env.GOTOOLCHAIN} (once; minutes on 2 cores)`);
      await run(go, ['install', module], { env, timeout: 30 * 60_000, maxBuffer: 64 * 1024 * 1024 }).catch(
        (error: Error & { stderr?: string }) => {
          throw new Error(`go install ${module} failed: ${(error.stderr ?? error.message).slice(-2000)}`);
        },
      );
    }
    // The schema files ship in the module the build just downloaded.
    const { stdout } = await run(go, ['env', 'GOMODCACHE'], { env });
    const source = path.join(
      stdout.trim(),
      `go.temporal.io/server@v${TEMPORAL_SERVER_VERSION}`,
      'schema',
      'postgresql',
      'v12',
    );
    const built = buildPaths(building);
    await cp(source, built.schemaDirectory, { recursive: true });
    // The module cache's files are read-only; the copies need not be (the cache must be removable).
    await run('chmod', ['-R', 'u+w', path.join(building, 'schema')]);
    await rm(folder, { recursive: true, force: true });
    await rename(building, folder);
  } catch (error) {
    await rm(building, { recursive: true, force: true });
    throw error;
  }
  const builtSeconds = (performance.now() - started) / 1000;
  log(`built Temporal server ${TEMPORAL_SERVER_VERSION} in ${builtSeconds.toFixed(0)} s into ${folder}`);
  return { version: TEMPORAL_SERVER_VERSION, ...paths, builtSeconds };
}

async function goCommand(): Promise<string> {
  const go = process.env.GO || 'go';
  try {
    await run(go, ['version']);
    return go;
  } catch {
    throw new Error(
      `building the Temporal server needs Go (\`${go} version\` failed): install Go 1.22 or newer ` +
        `(the go command fetches the toolchain v${TEMPORAL_SERVER_VERSION} needs), or set GO to its path`,
    );
  }
}
