import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter, type FailureConverter, type Payload } from '@temporalio/common';
import { describe, expect, it, vi } from 'vitest';
import { failureConverterPath, resolvePayloadKeys } from '../../codec/data-converter.js';
import {
  ENCRYPTED_ENCODING,
  EncryptionCodec,
  METADATA_KEY_ID_KEY,
  PayloadDecryptionError,
} from '../../codec/encryption-codec.js';
import { ConfigError, loadConfig } from '../../config/index.js';
import { parsePayloadKeys, PayloadKeyError, readPayloadKeysFile } from '../../config/payload-keys.js';

const keyA = randomBytes(32).toString('base64');
const keyB = randomBytes(32).toString('base64');
const ringOf = (text: string) => parsePayloadKeys(text, 'MLOPS_PAYLOAD_KEYS');
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString();
const secretPayload = (): Payload =>
  defaultPayloadConverter.toPayload({ dataset: './data/patients.csv', columns: ['Diagnosis Code'] });

describe('payload encryption codec', () => {
  it('encrypts the whole payload under the default key and decrypts it back exactly', async () => {
    const codec = new EncryptionCodec(ringOf(`a:${keyA}`));
    const original = secretPayload();
    const [encrypted] = await codec.encode([original]);

    expect(text(encrypted.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(encrypted.metadata?.[METADATA_KEY_ID_KEY])).toBe('a');
    expect(Object.keys(encrypted.metadata ?? {}).sort()).toEqual(['encoding', METADATA_KEY_ID_KEY]);
    // Neither the value nor its inner encoding shows.
    expect(text(encrypted.data)).not.toMatch(/patients|Diagnosis|json\/plain/);
    const [decoded] = await codec.decode([encrypted]);
    expect(text(decoded.metadata?.encoding)).toBe('json/plain');
    expect(defaultPayloadConverter.fromPayload(decoded)).toEqual({
      dataset: './data/patients.csv',
      columns: ['Diagnosis Code'],
    });
  });

  it('uses a fresh IV for every payload, so equal values do not look equal', async () => {
    const codec = new EncryptionCodec(ringOf(`a:${keyA}`));
    const [first, second] = await codec.encode([secretPayload(), secretPayload()]);
    expect(Buffer.from(first.data!).equals(Buffer.from(second.data!))).toBe(false);
    expect(Buffer.from(first.data!).subarray(0, 12).equals(Buffer.from(second.data!).subarray(0, 12))).toBe(
      false,
    );
  });

  it('passes payloads that are not encrypted (histories from before encryption) through', async () => {
    const codec = new EncryptionCodec(ringOf(`a:${keyA}`));
    const plain = secretPayload();
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('refuses a payload encrypted with a key it does not hold, naming the key and where keys come from', async () => {
    const [encrypted] = await new EncryptionCodec(ringOf(`old:${keyA}`)).encode([secretPayload()]);
    const other = new EncryptionCodec(ringOf(`new:${keyB}`));
    await expect(other.decode([encrypted])).rejects.toThrow(PayloadDecryptionError);
    await expect(other.decode([encrypted])).rejects.toThrow(
      /encrypted with key "old", which MLOPS_PAYLOAD_KEYS does not hold \(it has "new"\): add that key back/,
    );
  });

  it('refuses tampered ciphertext, a swapped key id and a truncated payload', async () => {
    const codec = new EncryptionCodec(ringOf(`a:${keyA},b:${keyB}`));
    const [encrypted] = await codec.encode([secretPayload()]);
    const flipped = Buffer.from(encrypted.data!);
    flipped[20] ^= 0x01;
    await expect(codec.decode([{ ...encrypted, data: flipped }])).rejects.toThrow(
      /key "a" failed authentication: it was altered/,
    );
    const swapped = {
      ...encrypted,
      metadata: { ...encrypted.metadata, [METADATA_KEY_ID_KEY]: Buffer.from('b') },
    };
    await expect(codec.decode([swapped])).rejects.toThrow(/key "b" failed authentication/);
    await expect(codec.decode([{ ...encrypted, data: flipped.subarray(0, 10) }])).rejects.toThrow(
      /failed authentication/,
    );
    const noKeyId = { ...encrypted, metadata: { encoding: encrypted.metadata!.encoding } };
    await expect(codec.decode([noKeyId])).rejects.toThrow(/no encryption-key-id metadata/);
  });

  it('rotates: payloads under key A still decode once B is the default, and new ones use B', async () => {
    const [underA] = await new EncryptionCodec(ringOf(`A:${keyA}`)).encode([secretPayload()]);
    const rotated = new EncryptionCodec(ringOf(`B:${keyB},A:${keyA}`));
    const [decoded] = await rotated.decode([underA]);
    expect(defaultPayloadConverter.fromPayload(decoded)).toMatchObject({ dataset: './data/patients.csv' });
    const [underB] = await rotated.encode([decoded]);
    expect(text(underB.metadata?.[METADATA_KEY_ID_KEY])).toBe('B');
    // Dropping A too early is caught with a message that says so.
    await expect(new EncryptionCodec(ringOf(`B:${keyB}`)).decode([underA])).rejects.toThrow(/key "A"/);
  });

  it('without keys (development) sends plain payloads and says which variable is missing for encrypted ones', async () => {
    const [encrypted] = await new EncryptionCodec(ringOf(`a:${keyA}`)).encode([secretPayload()]);
    const keyless = new EncryptionCodec(undefined);
    const plain = secretPayload();
    expect(await keyless.encode([plain])).toEqual([plain]);
    await expect(keyless.decode([encrypted])).rejects.toThrow(/no payload keys: set MLOPS_PAYLOAD_KEYS/);
  });
});

describe('payload keys', () => {
  it('reads comma-separated entries, the first being the default', () => {
    const ring = ringOf(` k2:${keyB} , k1:${keyA} `);
    expect(ring.defaultKeyId).toBe('k2');
    expect([...ring.keys.keys()]).toEqual(['k2', 'k1']);
    expect(ring.keys.get('k1')?.length).toBe(32);
  });

  it('reads a key file with comments and blank lines', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'mlops-keys-')), 'keys');
    writeFileSync(file, `# rotated in March, k1 kept for old runs\nk2:${keyB}\n\nk1:${keyA}  # old\n`);
    const ring = readPayloadKeysFile(file);
    expect(ring).toMatchObject({ defaultKeyId: 'k2', source: file });
    expect(ring.keys.size).toBe(2);
    expect(() => readPayloadKeysFile(`${file}.missing`)).toThrow(
      /cannot be read \(ENOENT\): fix MLOPS_PAYLOAD_KEYS_FILE/,
    );
  });

  it.each([
    ['', /no keys: give one or more id:base64key entries/],
    [keyA, /entry 1 is not id:base64key \(it has no ":"\)/],
    [`k 1:${keyA}`, /entry 1: the key id must be 1-64 letters/],
    [`k1:${randomBytes(16).toString('base64')}`, /key "k1" is 16 bytes; AES-256 needs 32/],
    ['k1:not base64!', /key "k1" is not base64/],
    [`k1:${keyA},k1:${keyB}`, /key id "k1" appears twice/],
  ])('refuses %j saying what is wrong and how to fix it', (value, message) => {
    expect(() => ringOf(value)).toThrow(PayloadKeyError);
    expect(() => ringOf(value)).toThrow(message);
    expect(() => ringOf(value)).toThrow(/openssl rand -base64 32|id "k1" appears|key id must be/);
  });

  it('is validated with the rest of the configuration, never echoing a key', () => {
    const short = randomBytes(16).toString('base64');
    expect(() => loadConfig({ MLOPS_PAYLOAD_KEYS: `k1:${short}` })).toThrow(ConfigError);
    expect(() => loadConfig({ MLOPS_PAYLOAD_KEYS: `k1:${short}` })).toThrow(
      /MLOPS_PAYLOAD_KEYS=\(\d+ characters, not shown\): key "k1" is 16 bytes/,
    );
    expect(() => loadConfig({ MLOPS_PAYLOAD_KEYS: `k1:${short}` })).not.toThrow(short);
    expect(() => loadConfig({ MLOPS_PAYLOAD_KEYS: `k1:${keyA}`, MLOPS_PAYLOAD_KEYS_FILE: '/keys' })).toThrow(
      /MLOPS_PAYLOAD_KEYS and MLOPS_PAYLOAD_KEYS_FILE both give the payload keys: set one of them/,
    );
  });

  it('are required in production and only warned about (once) in development', () => {
    expect(() => resolvePayloadKeys(loadConfig({ NODE_ENV: 'production' }))).toThrow(ConfigError);
    expect(() => resolvePayloadKeys(loadConfig({ NODE_ENV: 'production' }))).toThrow(
      /no payload encryption keys.*Set MLOPS_PAYLOAD_KEYS=.*required with NODE_ENV=production/s,
    );
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      expect(resolvePayloadKeys(loadConfig({}))).toBeUndefined();
      expect(resolvePayloadKeys(loadConfig({}))).toBeUndefined();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/plain text/);
    } finally {
      warn.mockRestore();
    }
    expect(
      resolvePayloadKeys(loadConfig({ NODE_ENV: 'production', MLOPS_PAYLOAD_KEYS: `k1:${keyA}` })),
    ).toMatchObject({ defaultKeyId: 'k1' });
  });
});

describe('failure converter', () => {
  it('moves error messages and stack traces into an encoded payload', () => {
    const { failureConverter } = createRequire(import.meta.url)(failureConverterPath()) as {
      failureConverter: FailureConverter;
    };
    const failure = failureConverter.errorToFailure(
      new Error('column "Diagnosis Code" is null in 40% of rows'),
      defaultPayloadConverter,
    );
    expect(failure.message).toBe('Encoded failure');
    expect(failure.stackTrace).toBe('');
    expect(JSON.stringify(defaultPayloadConverter.fromPayload(failure.encodedAttributes!))).toContain(
      'Diagnosis Code',
    );
    expect(failureConverter.failureToError(failure, defaultPayloadConverter).message).toMatch(
      /Diagnosis Code/,
    );
  });
});
