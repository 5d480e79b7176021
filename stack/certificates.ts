import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The name every stack server certificate carries besides its address, which clients verify
 * (TEMPORAL_TLS_SERVER_NAME): TLS clients may not send an IP address as the server name (RFC 6066).
 */
export const STACK_SERVER_NAME = 'mlops-embedded-stack';

/** The PEM files of a stack's own certificate authority, its server certificate and a client's. */
export interface StackCertificates {
  readonly folder: string;
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

/**
 * A private CA (made once, kept: client certificates handed to other machines stay valid across
 * restarts), a server certificate for `host` (made again when the host changes) and one client
 * certificate, made by the machine's `openssl`, in `folder` (0700; keys 0600). The shape of a
 * Temporal cluster behind mTLS, which the dev server cannot be itself.
 */
export async function ensureStackCertificates(
  folder: string,
  host: string,
  subject = 'mlops embedded stack',
): Promise<StackCertificates> {
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const file = (name: string) => path.join(folder, name);
  const openssl = async (...args: string[]) => {
    try {
      await run('openssl', args, { cwd: folder });
    } catch (error) {
      const failure = error as NodeJS.ErrnoException & { stderr?: string };
      if (failure.code === 'ENOENT')
        throw new Error(
          "making the stack's TLS certificates needs the `openssl` command, which is not on PATH: install it (Debian: apt-get install openssl)",
        );
      throw new Error(`openssl ${args[0]} failed: ${failure.stderr?.trim() || failure.message}`);
    }
  };
  const newKey = (name: string, subjectName: string) =>
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${subjectName}`,
    );
  const sign = async (name: string, extension: string) => {
    await writeFile(file(`${name}.ext`), `${extension}\n`);
    await openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '825',
      '-extfile',
      `${name}.ext`,
    );
    await rm(file(`${name}.csr`), { force: true });
  };
  if (!existsSync(file('ca.pem')) || !existsSync(file('ca.key'))) {
    await openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '3650',
      '-subj',
      `/CN=${subject} CA`,
    );
    await rm(file('server.pem'), { force: true });
    await rm(file('client.pem'), { force: true });
  }
  const serverExtension = `subjectAltName=${isIP(host) ? `IP:${host}` : `DNS:${host}`},DNS:${STACK_SERVER_NAME},DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth`;
  const current = await readFile(file('server.ext'), 'utf8').catch(() => '');
  if (!existsSync(file('server.pem')) || current.trim() !== serverExtension) {
    await newKey('server', host);
    await sign('server', serverExtension);
  }
  if (!existsSync(file('client.pem'))) {
    await newKey('client', `${subject} worker`);
    await sign('client', 'extendedKeyUsage=clientAuth');
  }
  return {
    folder,
    ca: file('ca.pem'),
    serverCert: file('server.pem'),
    serverKey: file('server.key'),
    clientCert: file('client.pem'),
    clientKey: file('client.key'),
  };
}
