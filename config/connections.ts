import type { ConnectionOptions } from '@temporalio/client';
import { toClientOptions } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import type { S3Settings } from '../storage/artifact-store.js';
import type { Config } from './index.js';

/**
 * Where the running platform's services are: from the configuration for services run elsewhere
 * (a Temporal cluster, a managed PostgreSQL, S3, SeaweedFS or MinIO), from the embedded stack for the rest.
 */
export interface Connections {
  readonly temporal: {
    readonly address: string;
    readonly namespace: string;
    readonly uiUrl: string | undefined;
    /** The embedded stack's payload encryption keys (made on its first start); unset elsewhere. */
    readonly payloadKeysFile?: string;
    /** Where the embedded UI expects the codec server (`mlops up` runs it there); unset elsewhere. */
    readonly codecUrl?: string;
  };
  readonly databaseUrl: string;
  readonly s3: S3Settings;
}

/**
 * Options for `Connection.connect` / `NativeConnection.connect` from Temporal's client profile
 * (config/temporal-profile.ts): Temporal Cloud's API key, TLS or mTLS (files read now, so a
 * rotated certificate is picked up by the next connection), gRPC metadata.
 */
export function temporalConnectionOptions(
  config: Config,
  address: string,
): ConnectionOptions & NativeConnectionOptions {
  const { connectionOptions } = toClientOptions(config.temporal.profile);
  return {
    address,
    apiKey: connectionOptions.apiKey,
    tls: connectionOptions.tls,
    metadata: connectionOptions.metadata,
  };
}
