import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EncryptionCodec, METADATA_KEY_ID_KEY } from '../../codec/encryption-codec.js';
import { parsePayloadKeys, readPayloadKeysFile } from '../../config/payload-keys.js';
import { stackEnvironment } from '../support/platform.js';
import { runMlops as mlops, runMlopsOffline } from '../support/processes.js';

interface AuditEventDocument {
  subject: string;
  action: string;
  actor: string;
  reason: string | null;
  before: { keyIds: string[] };
  after: { keyIds: string[] };
}

const key = () => randomBytes(32).toString('base64');
const materialOf = (text: string) =>
  [...parsePayloadKeys(text, 'keys').keys.values()].map((bytes) => bytes.toString('base64'));

/**
 * Payload keys are rotated with `mlops keys rotate`, which rewrites the key file (a new key first,
 * the old ones kept) and leaves an audit event of who, why and which key ids, never a key. The
 * tests run in order on one key file, each starting from what the last one left.
 */
describe('payload key rotation', () => {
  let home: string;
  let keyFile: string;
  let env: NodeJS.ProcessEnv;
  /** Every key the file has held: none may show in any output. */
  const materials = new Set<string>();
  const original = ['# keys of the rotation test', '', `k1:${key()}   # the first`, `k0:${key()}`, ''].join(
    '\n',
  );
  const fileText = async () => {
    const text = await readFile(keyFile, 'utf8');
    for (const material of materialOf(text)) materials.add(material);
    return text;
  };
  const expectNoKeyMaterial = (output: string) => {
    for (const material of materials) expect(output).not.toContain(material);
  };
  const rotationEvents = async () => {
    const listed = await mlops(['audit', '--subject-kind', 'payload-keys', '--limit', '1000', '--json'], env);
    expect(listed.code, listed.stderr).toBe(0);
    expectNoKeyMaterial(listed.stdout);
    return listed
      .json<{ events: AuditEventDocument[] }>()
      .events.filter((event) => event.subject === keyFile);
  };

  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'mlops-keys-'));
    // Named as the embedded stack names its file, so the MLOPS_PAYLOAD_KEYS test below would
    // rewrite it if that variable were ignored.
    keyFile = path.join(home, 'payload-keys');
    await writeFile(keyFile, original, { mode: 0o600 });
    await fileText();
    // The test stack's services, with this test's own key file instead of the stack's.
    env = { ...stackEnvironment(), MLOPS_HOME: home, MLOPS_PAYLOAD_KEYS_FILE: keyFile };
  });

  afterAll(async () => {
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('puts a new key first, keeps the old ones and the comments, and records who, why and which ids', async () => {
    const oldCodec = new EncryptionCodec(readPayloadKeysFile(keyFile));
    const [underOldKey] = await oldCodec.encode([
      defaultPayloadConverter.toPayload({ run: 'before rotation' }),
    ]);

    const rotated = await mlops(
      ['keys', 'rotate', '--id', 'k2', '--reason', 'yearly rotation', '--json'],
      env,
    );
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.json()).toMatchObject({ file: keyFile, keyId: 'k2', rotated: true, before: ['k1', 'k0'] });

    const text = await fileText();
    const [newLine] = text.split('\n').filter((line) => line.startsWith('k2:'));
    expect(text).toBe(original.replace('\n\nk1:', `\n\n${newLine}\nk1:`));
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expectNoKeyMaterial(rotated.stdout + rotated.stderr);

    // Old payloads still decrypt with the rotated file; new ones are encrypted under the new key.
    const newCodec = new EncryptionCodec(readPayloadKeysFile(keyFile));
    const [decoded] = await newCodec.decode([underOldKey]);
    expect(defaultPayloadConverter.fromPayload(decoded)).toEqual({ run: 'before rotation' });
    const [underNewKey] = await newCodec.encode([defaultPayloadConverter.toPayload('after')]);
    expect(Buffer.from(underNewKey.metadata![METADATA_KEY_ID_KEY]).toString()).toBe('k2');

    const listed = await mlops(['keys', 'list', '--json'], env);
    expect(listed.json()).toMatchObject({ source: keyFile, encrypting: 'k2', keyIds: ['k2', 'k1', 'k0'] });
    expectNoKeyMaterial(listed.stdout);

    const events = await rotationEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: 'rotate',
      reason: 'yearly rotation',
      actor: expect.stringMatching(/\(cli\)$/),
      before: { keyIds: ['k1', 'k0'] },
      after: { keyIds: ['k2', 'k1', 'k0'] },
    });
  }, 60_000);

  it('records a rerun of the same rotation once and writes nothing', async () => {
    const before = await fileText();
    const rerun = await mlops(['keys', 'rotate', '--id', 'k2', '--reason', 'yearly rotation', '--json'], env);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.json()).toMatchObject({ rotated: false, before: ['k1', 'k0'], after: ['k2', 'k1', 'k0'] });
    expect(await fileText()).toBe(before);
    expect(await rotationEvents()).toHaveLength(1);
  }, 60_000);

  it('refuses an id the file already holds, leaving the file as it was', async () => {
    const before = await fileText();
    const taken = await mlops(['keys', 'rotate', '--id', 'k0'], env);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toMatch(/key id "k0" is already in .*payload-keys.*choose another --id/);
    expect(await fileText()).toBe(before);
  });

  it('generates an id when none is given, and tells people what to restart', async () => {
    const rotated = await mlops(['keys', 'rotate'], env);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(/key key-\d{8}-[0-9a-f]{8} encrypts from now on/);
    expect(rotated.stdout).toMatch(/Restart every worker, client and codec server/);
    expect(rotated.stdout).toMatch(/payloads under the old keys still decrypt/);
    const [generated] = (await fileText()).split('\n').filter((line) => /^[^#\s]/.test(line));
    expect(generated).toMatch(/^key-\d{8}-[0-9a-f]{8}:/);
    expectNoKeyMaterial(rotated.stdout + rotated.stderr);
    const events = await rotationEvents();
    expect(events.map((event) => event.after.keyIds.length)).toEqual([3, 4]);
    expect(events[1].before.keyIds).toEqual(['k2', 'k1', 'k0']);
  }, 60_000);

  it('retires an old key with an audit event, but never the one that encrypts', async () => {
    const retired = await mlops(['keys', 'retire', 'k0', '--reason', 'no history holds it', '--json'], env);
    expect(retired.code, retired.stderr).toBe(0);
    const text = await readFile(keyFile, 'utf8');
    expect(text).not.toMatch(/^k0:/m);
    expect(text).toContain('# keys of the rotation test');
    const [encrypting] = parsePayloadKeys(text, keyFile).keys.keys();
    expect((await mlops(['keys', 'retire', encrypting], env)).code).toBe(2);
    expect((await mlops(['keys', 'retire', 'k0'], env)).code).toBe(1);
    expect(await readFile(keyFile, 'utf8')).toBe(text);

    const events = await rotationEvents();
    expect(events.map((event) => event.action)).toEqual(['rotate', 'rotate', 'retire']);
    expect(events[2]).toMatchObject({
      reason: 'no history holds it',
      before: { keyIds: [encrypting, 'k2', 'k1', 'k0'] },
      after: { keyIds: [encrypting, 'k2', 'k1'] },
    });

    const table = await mlops(['audit', '--subject-kind', 'payload-keys', '--limit', '1'], env);
    expect(table.stdout).toContain(`retire  payload-keys ${keyFile}`);
    expect(table.stdout).toContain(`keyIds ${encrypting},k2,k1,k0 -> ${encrypting},k2,k1`);
    expectNoKeyMaterial(table.stdout);
  }, 60_000);

  it('refuses to rotate keys that come from MLOPS_PAYLOAD_KEYS, before connecting to anything', async () => {
    const before = await fileText();
    const modified = (await stat(keyFile)).mtimeMs;
    const environmentKeys = `e2:${key()},e1:${key()}`;
    for (const material of materialOf(environmentKeys)) materials.add(material);
    // Without MLOPS_PAYLOAD_KEYS this would be the embedded stack's file under MLOPS_HOME: this one.
    const keysEnv = { MLOPS_PAYLOAD_KEYS: environmentKeys, MLOPS_HOME: home, TEMPORAL_ADDRESS: '' };

    const refused = runMlopsOffline(['keys', 'rotate', '--reason', 'ignored'], keysEnv);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/keys come from MLOPS_PAYLOAD_KEYS, an environment variable/);
    expect(refused.stderr).toMatch(/MLOPS_PAYLOAD_KEYS_FILE=<that file> instead of MLOPS_PAYLOAD_KEYS/);
    expect(await readFile(keyFile, 'utf8')).toBe(before);
    expect((await stat(keyFile)).mtimeMs).toBe(modified);
    expectNoKeyMaterial(refused.stdout + refused.stderr);

    const listed = runMlopsOffline(['keys', 'list', '--json'], keysEnv);
    expect(listed.status, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject({ source: 'MLOPS_PAYLOAD_KEYS', keyIds: ['e2', 'e1'] });
    expectNoKeyMaterial(listed.stdout);
  });
});
