import { randomBytes } from 'node:crypto';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { payloadKeySource, rewriteKeyFile } from '../../cli/keys/key-file.js';
import { loadConfig } from '../../config/index.js';
import {
  checkPayloadKeyId,
  newPayloadKeyEntry,
  PayloadKeyError,
  payloadKeyIds,
  withoutPayloadKey,
  withPayloadKeyFirst,
} from '../../config/payload-keys.js';

const key = () => randomBytes(32).toString('base64');
const [keyA, keyB, keyC] = [key(), key(), key()];
const ids = (text: string) => payloadKeyIds(text, 'keys');
const folders: string[] = [];
const temporaryFolder = () => {
  folders.push(mkdtempSync(path.join(os.tmpdir(), 'mlops-key-file-')));
  return folders[folders.length - 1];
};
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describe('payload key file rewrites', () => {
  const file = ['# the platform keys', '', `k1:${keyA}   # since spring`, `k0:${keyB}`, ''].join('\n');

  it('puts a new key on its own line before the first one, everything else as it was', () => {
    const rotated = withPayloadKeyFirst(file, `k2:${keyC}`);
    expect(rotated).toBe(
      ['# the platform keys', '', `k2:${keyC}`, `k1:${keyA}   # since spring`, `k0:${keyB}`, ''].join('\n'),
    );
    expect(ids(rotated)).toEqual(['k2', 'k1', 'k0']);
  });

  it('keeps a CRLF file CRLF and a line of several entries whole', () => {
    const rotated = withPayloadKeyFirst(`# keys\r\nk1:${keyA},k0:${keyB}\r\n`, `k2:${keyC}`);
    expect(rotated).toBe(`# keys\r\nk2:${keyC}\r\nk1:${keyA},k0:${keyB}\r\n`);
    expect(ids(rotated)).toEqual(['k2', 'k1', 'k0']);
  });

  it('adds the first key of a file of comments after them', () => {
    expect(withPayloadKeyFirst('# none yet\n', `k1:${keyA}`)).toBe(`# none yet\nk1:${keyA}\n`);
  });

  it('removes a retired key and the line it had to itself, keeping comments and the other keys', () => {
    expect(withoutPayloadKey(file, 'k0')).toBe(
      ['# the platform keys', '', `k1:${keyA}   # since spring`, ''].join('\n'),
    );
    const shared = `k2:${keyC}, k1:${keyA} ,k0:${keyB} # all three\n`;
    expect(withoutPayloadKey(shared, 'k1')).toBe(`k2:${keyC},k0:${keyB} # all three\n`);
    expect(withoutPayloadKey(`k2:${keyC}\nk1:${keyA} # old\n`, 'k1')).toBe(`k2:${keyC}\n# old\n`);
    expect(withoutPayloadKey(file, 'k9')).toBe(file);
  });

  it('makes new keys of 32 random bytes and accepts only ids a key list accepts', () => {
    const entry = newPayloadKeyEntry('k-2026.03_a');
    expect(entry).toMatch(/^k-2026\.03_a:[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(entry.split(':')[1], 'base64')).toHaveLength(32);
    expect(newPayloadKeyEntry('k')).not.toBe(newPayloadKeyEntry('k'));
    expect(() => checkPayloadKeyId('two words')).toThrow(PayloadKeyError);
    expect(() => checkPayloadKeyId('k:1')).toThrow(/not a key id: use 1-64 letters, digits/);
    expect(() => checkPayloadKeyId('x'.repeat(65))).toThrow(PayloadKeyError);
  });
});

describe('writing a payload key file', () => {
  it('replaces it whole, mode 0600, leaving no temporary file', async () => {
    const folder = temporaryFolder();
    const file = path.join(folder, 'keys');
    writeFileSync(file, `k1:${keyA}\n`, { mode: 0o644 });
    const rewrite = await rewriteKeyFile(file, (text) => withPayloadKeyFirst(text, `k2:${keyB}`));
    expect(rewrite).toEqual({ before: `k1:${keyA}\n`, after: `k2:${keyB}\nk1:${keyA}\n`, written: true });
    expect(readFileSync(file, 'utf8')).toBe(rewrite.after);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(folder)).toEqual(['keys']);
  });

  it('writes nothing when the change has nothing to write or refuses, and frees the file again', async () => {
    const folder = temporaryFolder();
    const file = path.join(folder, 'keys');
    writeFileSync(file, `k1:${keyA}\n`, { mode: 0o600 });
    expect((await rewriteKeyFile(file, () => undefined)).written).toBe(false);
    await expect(
      rewriteKeyFile(file, () => {
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(readFileSync(file, 'utf8')).toBe(`k1:${keyA}\n`);
    expect(readdirSync(folder)).toEqual(['keys']);
  });

  it('refuses while another rewrite holds the file, saying what to remove if none runs', async () => {
    const folder = temporaryFolder();
    const file = path.join(folder, 'keys');
    writeFileSync(file, `k1:${keyA}\n`, { mode: 0o600 });
    writeFileSync(path.join(folder, '.keys.rewrite'), '');
    await expect(rewriteKeyFile(file, (text) => `k2:${keyB}\n${text}`)).rejects.toThrow(
      /another `mlops keys` command is rewriting .*keys, or one was interrupted; if none is running, remove .*\.keys\.rewrite/,
    );
    expect(readFileSync(file, 'utf8')).toBe(`k1:${keyA}\n`);
  });

  it('rewrites a symlinked file where it points, so the link (a mounted secret) stays', async () => {
    const folder = temporaryFolder();
    const target = path.join(folder, 'real-keys');
    const link = path.join(folder, 'keys');
    writeFileSync(target, `k1:${keyA}\n`, { mode: 0o600 });
    symlinkSync(target, link);
    await rewriteKeyFile(link, (text) => `k2:${keyB}\n${text}`);
    expect(ids(readFileSync(link, 'utf8'))).toEqual(['k2', 'k1']);
    expect(ids(readFileSync(target, 'utf8'))).toEqual(['k2', 'k1']);
  });

  it('says which file cannot be read', async () => {
    await expect(rewriteKeyFile('/nonexistent/keys', () => '')).rejects.toThrow(
      'payload keys file /nonexistent/keys cannot be read (ENOENT)',
    );
  });
});

describe('where the payload keys come from', () => {
  it('is MLOPS_PAYLOAD_KEYS, the file MLOPS_PAYLOAD_KEYS_FILE names, the embedded stack’s, or none', () => {
    expect(payloadKeySource(loadConfig({ MLOPS_PAYLOAD_KEYS: `k1:${keyA}` }))).toEqual({
      kind: 'environment',
    });
    expect(payloadKeySource(loadConfig({ MLOPS_PAYLOAD_KEYS_FILE: '/run/keys' }))).toEqual({
      kind: 'file',
      file: '/run/keys',
      embedded: false,
    });
    expect(payloadKeySource(loadConfig({ MLOPS_HOME: '/srv/mlops' }))).toEqual({
      kind: 'file',
      file: '/srv/mlops/payload-keys',
      embedded: true,
    });
    expect(payloadKeySource(loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233' }))).toEqual({ kind: 'none' });
  });
});
