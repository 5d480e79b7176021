import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { PayloadKeyRing } from '../config/payload-keys.js';

/** Metadata of an encrypted payload: the encoding, and which key encrypted it (so keys can rotate). */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_ENCODING_KEY = 'encoding';
export const METADATA_KEY_ID_KEY = 'encryption-key-id';

const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const { Payload: PayloadMessage } = proto.temporal.api.common.v1;

export class PayloadDecryptionError extends Error {
  override readonly name = 'PayloadDecryptionError';
}

/**
 * AES-256-GCM over the whole payload (its metadata included, so not even the inner encoding shows),
 * as Temporal's encryption samples do: the data is a fresh random 12-byte IV, the ciphertext of the
 * length-delimited Payload message and the 16-byte tag; the metadata names the key. New payloads
 * use the key ring's default key; any key of the ring decrypts. Payloads that are not encrypted
 * (histories from before encryption) pass through decode unchanged.
 *
 * Without a key ring (development only, see codec/data-converter.ts) encode passes payloads
 * through and decode refuses encrypted ones with a message that says which variable is missing.
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly ring: PayloadKeyRing | undefined) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const ring = this.ring;
    if (!ring) return payloads;
    const key = ring.keys.get(ring.defaultKeyId) as Buffer;
    return payloads.map((payload) => ({
      metadata: {
        [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING),
        [METADATA_KEY_ID_KEY]: Buffer.from(ring.defaultKeyId),
      },
      data: encrypt(PayloadMessage.encodeDelimited(payload).finish(), key),
    }));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      if (!encoding || Buffer.from(encoding).toString() !== ENCRYPTED_ENCODING) return payload;
      const keyIdBytes = payload.metadata?.[METADATA_KEY_ID_KEY];
      if (!keyIdBytes)
        throw new PayloadDecryptionError(`an encrypted payload has no ${METADATA_KEY_ID_KEY} metadata`);
      const keyId = Buffer.from(keyIdBytes).toString();
      const key = this.keyFor(keyId);
      const data = payload.data ?? new Uint8Array();
      let plain: Buffer;
      try {
        plain = decrypt(data, key);
      } catch {
        throw new PayloadDecryptionError(
          `a payload encrypted with key ${JSON.stringify(keyId)} failed authentication: it was altered, ` +
            `or the key named ${JSON.stringify(keyId)} in ${this.ring?.source} is not the one it was encrypted with`,
        );
      }
      return PayloadMessage.decodeDelimited(plain);
    });
  }

  private keyFor(keyId: string): Buffer {
    if (!this.ring) {
      throw new PayloadDecryptionError(
        `a payload is encrypted (key ${JSON.stringify(keyId)}) but this process has no payload keys: ` +
          'set MLOPS_PAYLOAD_KEYS or MLOPS_PAYLOAD_KEYS_FILE to the keys the platform encrypts with',
      );
    }
    const key = this.ring.keys.get(keyId);
    if (!key) {
      throw new PayloadDecryptionError(
        `a payload was encrypted with key ${JSON.stringify(keyId)}, which ${this.ring.source} does not hold ` +
          `(it has ${[...this.ring.keys.keys()].map((id) => JSON.stringify(id)).join(', ')}): ` +
          'add that key back after the default one; keep old keys while histories that use them exist',
      );
    }
    return key;
  }
}

function encrypt(plain: Uint8Array, key: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
  return Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

function decrypt(data: Uint8Array, key: Buffer): Buffer {
  if (data.length < IV_BYTES + TAG_BYTES) throw new Error('too short');
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const decipher = createDecipheriv(CIPHER, key, bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  return Buffer.concat([
    decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
    decipher.final(),
  ]);
}
