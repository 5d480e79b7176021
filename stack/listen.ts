import { readFile, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Connections } from '../config/connections.js';
import { STACK_SERVER_NAME, type StackCertificates } from './certificates.js';
import { connectionVariables, shellAssignments } from './env-file.js';

/**
 * A stack that other machines join (`mlops up --listen <address>`): PostgreSQL and S3 also listen
 * on that address and take only the stack's own credentials (scram-sha-256 password, SigV4 with
 * the stack's key pair); Temporal is reached there through an mTLS front (tls-front.mjs) with a
 * client certificate the stack's CA signed. The Temporal UI and the codec server stay on loopback.
 */
export interface StackListening {
  readonly address: string;
  /** The mTLS front to the dev server, `host:port`. */
  readonly temporal: string;
  /** `<home>/worker.env`: everything a worker on another machine needs, inline. */
  readonly workerEnvFile: string;
}

export const workerEnvFile = (home: string) => path.join(home, 'worker.env');

/** The listen address if it is one of this machine's own, else an error that lists them. */
export function checkListenAddress(address: string): string {
  const own = Object.values(os.networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .map((entry) => entry.address);
  if (isIP(address) === 0 || ['0.0.0.0', '::'].includes(address) || !own.includes(address)) {
    const choices = own.filter((candidate) => !candidate.startsWith('127.') && candidate !== '::1');
    throw new Error(
      `--listen ${JSON.stringify(address)}: name one IP address of this machine that the worker machines can reach ` +
        `(this machine has ${choices.length > 0 ? choices.join(', ') : 'none but loopback'}); ` +
        'workers are told that very address, so a wildcard such as 0.0.0.0 will not do',
    );
  }
  return address;
}

/** A running stack asked to listen where it does not: it would have to be restarted. */
export function listeningMismatch(
  wanted: string | undefined,
  running: StackListening | undefined,
): string | undefined {
  if (wanted === undefined || running?.address === wanted) return undefined;
  return (
    `the embedded stack already runs ${running ? `listening on ${running.address}` : 'on loopback only'}; ` +
    `to listen on ${wanted}, stop it (Ctrl-C where \`mlops up\` runs) and start it again with --listen ${wanted}`
  );
}

/**
 * The stack's connections as another machine sees them: the listen address instead of loopback,
 * Temporal through its mTLS front. Services configured elsewhere stay as they are.
 */
export function remoteConnections(
  connections: Connections,
  listening: { address: string; temporal: string },
  embedded: { temporal: boolean; postgres: boolean },
): Connections {
  const database = new URL(connections.databaseUrl);
  if (embedded.postgres)
    database.hostname = listening.address.includes(':') ? `[${listening.address}]` : listening.address;
  return {
    temporal: {
      address: embedded.temporal ? listening.temporal : connections.temporal.address,
      namespace: connections.temporal.namespace,
      uiUrl: undefined,
    },
    databaseUrl: database.toString(),
    s3: connections.s3,
  };
}

/**
 * Writes `<home>/worker.env` (0600): the variables `mlops worker` on another machine reads, the
 * certificate, key and payload keys inline so that this one file is all that machine needs.
 */
export async function writeWorkerEnvFile(options: {
  home: string;
  remote: Connections;
  certificates: StackCertificates | undefined;
  payloadKeysFile: string | undefined;
}): Promise<string> {
  const { remote, certificates } = options;
  const pem = (file: string | undefined) => (file ? readFile(file, 'utf8') : Promise.resolve(undefined));
  const payloadKeys = await pem(options.payloadKeysFile);
  const header = [
    '# Workers on other machines join this stack with these variables: copy this file there (it holds',
    '# credentials: keep it 0600), then run',
    '#   set -a; . ./worker.env; set +a; mlops worker --pool cpu',
    '',
  ].join('\n');
  // What any process gets (stack/env-file.ts), less what names files of this machine; the
  // certificates and keys travel inline instead.
  const {
    TEMPORAL_UI_URL: _ui,
    MLOPS_PAYLOAD_KEYS_FILE: _keysFile,
    ...connection
  } = connectionVariables(remote);
  const variables = {
    ...connection,
    TEMPORAL_TLS_SERVER_NAME: certificates ? STACK_SERVER_NAME : undefined,
    TEMPORAL_TLS_SERVER_CA_CERT_DATA: await pem(certificates?.ca),
    TEMPORAL_TLS_CLIENT_CERT_DATA: await pem(certificates?.clientCert),
    TEMPORAL_TLS_CLIENT_KEY_DATA: await pem(certificates?.clientKey),
    // The keys without the file's comments: one id:key entry per comma.
    MLOPS_PAYLOAD_KEYS: payloadKeys
      ?.split('\n')
      .map((line) => line.replace(/#.*$/, '').trim())
      .filter(Boolean)
      .join(','),
  };
  const file = workerEnvFile(options.home);
  await writeFile(file, header + shellAssignments(variables), { mode: 0o600 });
  return file;
}

export async function removeWorkerEnvFile(home: string): Promise<void> {
  await rm(workerEnvFile(home), { force: true });
}
