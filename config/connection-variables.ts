import { z } from 'zod';
import {
  hostPort,
  httpUrl,
  postgresUrl,
  nonEmpty,
  bucketName,
  type VariableSpec,
} from './variable-values.js';

/** The variables that point the platform at Temporal, PostgreSQL and S3 (part of config/variables.ts). */
export const connectionVariables = {
  TEMPORAL_ADDRESS: {
    schema: hostPort,
    example: 'temporal.example.com:7233',
    description: 'Temporal frontend; unset: the embedded dev server under .mlops/',
  },
  TEMPORAL_NAMESPACE: {
    schema: nonEmpty,
    example: 'ml-prod',
    description: 'Temporal namespace (default `default`)',
  },
  TEMPORAL_API_KEY: {
    schema: nonEmpty,
    example: 'eyJhbGciOi...',
    description: 'API key for Temporal Cloud (turns on TLS)',
  },
  TEMPORAL_PROFILE: {
    schema: nonEmpty,
    example: 'prod',
    description:
      'profile of the Temporal client config file to use (default `default`; `temporal config` manages the file)',
  },
  TEMPORAL_CONFIG_FILE: {
    schema: nonEmpty,
    example: '/etc/temporal/temporal.toml',
    description:
      "Temporal's client config file (TOML profiles; default `~/.config/temporalio/temporal.toml` when it exists); the variables here override its profile",
  },
  TEMPORAL_TLS: {
    schema: z.enum(['true', 'false'], { error: 'must be true or false' }),
    example: 'true',
    description: 'TLS to Temporal with the system CAs (implied by an API key or a certificate)',
  },
  TEMPORAL_TLS_CLIENT_CERT_PATH: {
    schema: nonEmpty,
    example: '/etc/temporal/client.pem',
    description: 'mTLS client certificate (with TEMPORAL_TLS_CLIENT_KEY_PATH)',
  },
  TEMPORAL_TLS_CLIENT_KEY_PATH: {
    schema: nonEmpty,
    example: '/etc/temporal/client.key',
    description: 'mTLS client key (with TEMPORAL_TLS_CLIENT_CERT_PATH)',
  },
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: {
    schema: nonEmpty,
    example: '/etc/temporal/ca.pem',
    description: "CA certificate that signed the server's (default: the system CAs)",
  },
  TEMPORAL_TLS_SERVER_NAME: {
    schema: nonEmpty,
    example: 'ml-prod.a1b2c.tmprl.cloud',
    description: 'TLS server name override',
  },
  TEMPORAL_UI_URL: {
    schema: httpUrl,
    example: 'https://cloud.temporal.io',
    description: 'the Temporal Web UI, for links to runs (embedded: known; otherwise unset: no links)',
  },
  TEMPORAL_CLI_PATH: {
    schema: nonEmpty,
    example: '/usr/local/bin/temporal',
    description: 'the `temporal` binary for the embedded server',
  },
  DATABASE_URL: {
    schema: postgresUrl,
    example: 'postgres://mlops:secret@db.example.com:5432/mlops',
    description: 'platform PostgreSQL; unset: embedded PostgreSQL under .mlops/',
  },
  S3_ENDPOINT: {
    schema: httpUrl,
    example: 'http://seaweedfs:8333',
    description: 'S3-compatible endpoint; unset with no AWS region: embedded S3 server',
  },
  S3_BUCKET: {
    schema: bucketName,
    example: 'mlops-artifacts',
    description: 'artifact bucket (default `mlops`), created if missing',
  },
  S3_REGION: { schema: nonEmpty, example: 'eu-west-1', description: 'S3 region (default `us-east-1`)' },
  S3_FORCE_PATH_STYLE: {
    schema: z.enum(['true', 'false'], { error: 'must be true or false' }),
    example: 'true',
    description: 'path-style bucket addressing (default true when S3_ENDPOINT is set)',
  },
} as const satisfies Record<string, VariableSpec>;
