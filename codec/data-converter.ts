import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DataConverter, LoadedDataConverter, Payload } from '@temporalio/common';
import { ConfigError, type Config } from '../config/index.js';
import type { Connections } from '../config/connections.js';
import { parsePayloadKeys, readPayloadKeysFile, type PayloadKeyRing } from '../config/payload-keys.js';
import { EncryptionCodec } from './encryption-codec.js';

/**
 * What every client and worker of the platform exchanges payloads through: the AES-256-GCM codec
 * (workflow and activity inputs and results, heartbeats, queries, updates, memos, summaries) and a
 * failure converter that moves error messages and stack traces into an encoded payload too.
 * Codecs run outside the workflow sandbox (in the worker's main thread and in clients), so
 * node:crypto is fine here and never reaches workflows/.
 */
export function platformDataConverter(config: Config, connections?: Connections): DataConverter {
  return {
    payloadCodecs: [new EncryptionCodec(resolvePayloadKeys(config, connections))],
    failureConverterPath: failureConverterPath(),
  };
}

/** The CommonJS failure converter, next to this file in the sources and in dist/ alike. */
export function failureConverterPath(): string {
  const file = fileURLToPath(new URL('./failure-converter.cjs', import.meta.url));
  if (!existsSync(file)) throw new Error(`${file} is missing: the build copies codec/*.cjs into dist/`);
  return file;
}

let warnedUnencrypted = false;

/**
 * The keys from MLOPS_PAYLOAD_KEYS or MLOPS_PAYLOAD_KEYS_FILE, else the embedded stack's key file.
 * None at all: NODE_ENV=production refuses (a ConfigError: exit code 2), development warns once
 * per process and sends payloads in plain text.
 */
export function resolvePayloadKeys(config: Config, connections?: Connections): PayloadKeyRing | undefined {
  const ring = configuredPayloadKeys(config, connections);
  if (ring) return ring;
  const missing =
    'no payload encryption keys: workflow inputs, results and error messages would reach Temporal in plain text. ' +
    'Set MLOPS_PAYLOAD_KEYS=<id>:<base64 of 32 bytes> (make one with `echo "k1:$(openssl rand -base64 32)"`) ' +
    'or MLOPS_PAYLOAD_KEYS_FILE=<file of such lines>, the same keys on every worker and client';
  if (config.production) throw new ConfigError([`${missing} (required with NODE_ENV=production)`]);
  if (!warnedUnencrypted) {
    warnedUnencrypted = true;
    process.emitWarning(`${missing}; NODE_ENV=production refuses to start like this`, {
      code: 'MLOPS_PAYLOADS_UNENCRYPTED',
    });
  }
  return undefined;
}

/** The keys the configuration or the embedded stack gives, if any (a PayloadKeyError when malformed). */
export function configuredPayloadKeys(config: Config, connections?: Connections): PayloadKeyRing | undefined {
  const configured = config.payloadKeys;
  if (configured && 'text' in configured) return parsePayloadKeys(configured.text, 'MLOPS_PAYLOAD_KEYS');
  if (configured) return readPayloadKeysFile(configured.file);
  const stackKeys = connections?.temporal.payloadKeysFile;
  return stackKeys ? readPayloadKeysFile(stackKeys) : undefined;
}

/**
 * One payload's value through a loaded converter's codecs and payload converter, for payloads the
 * SDK hands back raw (pending activities' heartbeat details in `describe().raw`).
 */
export async function decodePayloadValue<T = unknown>(
  converter: LoadedDataConverter,
  payload: Payload,
): Promise<T> {
  let payloads = [payload];
  for (const codec of [...converter.payloadCodecs].reverse()) payloads = await codec.decode(payloads);
  return converter.payloadConverter.fromPayload(payloads[0]) as T;
}
