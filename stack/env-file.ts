import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Connections } from '../config/connections.js';

export const envFile = (home: string) => path.join(home, 'env');

/** The environment variables that point a process at these services (unset ones undefined). */
export function connectionVariables(connections: Connections): Record<string, string | undefined> {
  return {
    TEMPORAL_ADDRESS: connections.temporal.address,
    TEMPORAL_NAMESPACE: connections.temporal.namespace,
    TEMPORAL_UI_URL: connections.temporal.uiUrl,
    MLOPS_PAYLOAD_KEYS_FILE: connections.temporal.payloadKeysFile,
    DATABASE_URL: connections.databaseUrl,
    S3_ENDPOINT: connections.s3.endpoint,
    S3_BUCKET: connections.s3.bucket,
    S3_REGION: connections.s3.region,
    AWS_ACCESS_KEY_ID: connections.s3.credentials?.accessKeyId,
    AWS_SECRET_ACCESS_KEY: connections.s3.credentials?.secretAccessKey,
  };
}

/**
 * The same services in the variables the standard tools read: libpq's PG* (psql, pg_dump), the
 * AWS CLI's and SDKs' service endpoint and region (`AWS_ENDPOINT_URL_S3`, `AWS_REGION`); the
 * temporal CLI reads TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE already.
 */
export function toolVariables(connections: Connections): Record<string, string | undefined> {
  const database = new URL(connections.databaseUrl);
  return {
    PGHOST: database.hostname,
    PGPORT: database.port || '5432',
    PGUSER: decodeURIComponent(database.username),
    PGPASSWORD: decodeURIComponent(database.password),
    PGDATABASE: decodeURIComponent(database.pathname.slice(1)),
    AWS_ENDPOINT_URL_S3: connections.s3.endpoint,
    AWS_REGION: connections.s3.region,
  };
}

/**
 * `.mlops/env` (mode 0600): the environment a client needs to use the running stack, so
 * `set -a; . .mlops/env` lets psql, the aws CLI, the temporal CLI and scripts reach it.
 */
export async function writeEnvFile(
  home: string,
  connections: Connections,
  extra: Record<string, string> = {},
): Promise<void> {
  const variables = { ...connectionVariables(connections), ...toolVariables(connections), ...extra };
  await writeFile(envFile(home), shellAssignments(variables), { mode: 0o600 });
  await chmod(envFile(home), 0o600);
}

/** `NAME='value'` lines a POSIX shell sources (`set -a; . file`), unset and empty values left out. */
export function shellAssignments(variables: Record<string, string | undefined>): string {
  const lines = Object.entries(variables)
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')
    .map(([name, value]) => `${name}='${value.replace(/'/g, `'\\''`)}'`);
  return `${lines.join('\n')}\n`;
}

/** The variables writeEnvFile wrote into `<home>/env`; none when there is no such file. */
export async function readEnvFile(home: string): Promise<Record<string, string>> {
  const text = await readFile(envFile(home), 'utf8').catch(() => '');
  const variables: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)='(.*)'$/.exec(line);
    if (match) variables[match[1]] = match[2].replace(/'\\''/g, "'");
  }
  return variables;
}

export async function removeEnvFile(home: string): Promise<void> {
  await rm(envFile(home), { force: true });
}
