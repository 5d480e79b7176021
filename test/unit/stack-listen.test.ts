import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureStackCertificates, STACK_SERVER_NAME } from '../../stack/certificates.js';
import { checkListenAddress, listeningMismatch, remoteConnections } from '../../stack/listen.js';

describe('mlops up --listen', () => {
  it('takes an address of this machine, and refuses a wildcard or a foreign one, listing its own', () => {
    expect(checkListenAddress('127.0.0.1')).toBe('127.0.0.1');
    for (const address of ['0.0.0.0', '203.0.113.77', 'example.com'])
      expect(() => checkListenAddress(address)).toThrow(
        /name one IP address of this machine .*\(this machine has /,
      );
  });

  it('refuses to join a running stack that listens elsewhere, saying how to restart it', () => {
    const running = { address: '10.0.0.5', temporal: '10.0.0.5:7233', workerEnvFile: '/x/worker.env' };
    expect(listeningMismatch(undefined, running)).toBeUndefined();
    expect(listeningMismatch('10.0.0.5', running)).toBeUndefined();
    expect(listeningMismatch('10.0.0.6', undefined)).toMatch(
      /runs on loopback only; to listen on 10\.0\.0\.6, stop it/,
    );
    expect(listeningMismatch('10.0.0.6', running)).toMatch(/listening on 10\.0\.0\.5/);
  });

  it('tells other machines the listen address and the mTLS front instead of loopback', () => {
    const remote = remoteConnections(
      {
        temporal: { address: '127.0.0.1:4000', namespace: 'default', uiUrl: 'http://127.0.0.1:4001' },
        databaseUrl: 'postgres://postgres:secret@127.0.0.1:5000/mlops',
        s3: { endpoint: 'http://10.0.0.5:6000', bucket: 'mlops', region: 'us-east-1', forcePathStyle: true },
      },
      { address: '10.0.0.5', temporal: '10.0.0.5:7000' },
      { temporal: true, postgres: true },
    );
    expect(remote.temporal).toEqual({ address: '10.0.0.5:7000', namespace: 'default', uiUrl: undefined });
    expect(remote.databaseUrl).toBe('postgres://postgres:secret@10.0.0.5:5000/mlops');
  });

  it('keeps its CA across restarts and makes the server certificate again for a new address', async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'mlops-certs-'));
    try {
      const first = await ensureStackCertificates(folder, '10.0.0.5');
      const ca = await readFile(first.ca, 'utf8');
      const names = async () => new X509Certificate(await readFile(first.serverCert)).subjectAltName;
      expect(await names()).toContain('IP Address:10.0.0.5');
      expect(await names()).toContain(`DNS:${STACK_SERVER_NAME}`);
      const client = await readFile(first.clientCert, 'utf8');
      await ensureStackCertificates(folder, '10.0.0.6');
      expect(await readFile(first.ca, 'utf8')).toBe(ca);
      expect(await readFile(first.clientCert, 'utf8')).toBe(client);
      expect(await names()).toContain('IP Address:10.0.0.6');
      const issued = new X509Certificate(await readFile(first.serverCert));
      expect(issued.verify(new X509Certificate(ca).publicKey)).toBe(true);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
