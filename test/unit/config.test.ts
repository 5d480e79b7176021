import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporalConnectionOptions } from '../../config/connections.js';
import { ConfigError, loadConfig } from '../../config/index.js';

describe('configuration', () => {
  it('has working defaults: everything embedded', () => {
    const config = loadConfig({});
    expect(config.temporal).toMatchObject({ address: undefined, namespace: 'default', apiKey: undefined });
    expect(temporalConnectionOptions(config, '127.0.0.1:7233').tls).toBeUndefined();
    expect(config.database.url).toBeUndefined();
    expect(config.s3).toMatchObject({ endpoint: undefined, bucket: 'mlops', region: 'us-east-1' });
    expect(config.taskQueues).toEqual({ cpu: 'mlops-cpu', gpu: 'mlops-gpu' });
    expect(config.gpus).toBeUndefined();
    expect(config.shutdownGraceMs).toBe(30_000);
  });

  it('reads production settings', () => {
    const config = loadConfig({
      TEMPORAL_ADDRESS: 'ml.a1b2c.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'ml.a1b2c',
      TEMPORAL_API_KEY: 'key',
      DATABASE_URL: 'postgres://mlops:secret@db:5432/mlops',
      S3_ENDPOINT: 'http://minio:9000',
      S3_BUCKET: 'artifacts',
      MLOPS_GPUS: '0,3',
      MLOPS_DATA_ROOTS: '/data, /mnt/shared',
      MLOPS_SHUTDOWN_GRACE: '2m',
    });
    // An API key implies TLS with the system CAs (Temporal Cloud).
    expect(temporalConnectionOptions(config, config.temporal.address!)).toMatchObject({
      address: 'ml.a1b2c.tmprl.cloud:7233',
      apiKey: 'key',
      tls: true,
    });
    expect(config.s3.forcePathStyle).toBe(true);
    expect(config.gpus).toEqual([0, 3]);
    expect(config.dataRoots).toEqual(['/data', '/mnt/shared']);
    expect(config.shutdownGraceMs).toBe(120_000);
    expect(loadConfig({ MLOPS_GPUS: '2' }).gpus).toEqual([0, 1]);
    expect(loadConfig({ MLOPS_GPUS: 'none' }).gpus).toEqual([]);
    expect(loadConfig({ S3_ENDPOINT: 'https://s3.eu-west-1.amazonaws.com' }).s3.forcePathStyle).toBe(false);
  });

  it.each([
    [
      'TEMPORAL_ADDRESS',
      'localhost',
      /TEMPORAL_ADDRESS="localhost": must be host:port \(example: TEMPORAL_ADDRESS=temporal\.example\.com:7233\)/,
    ],
    [
      'DATABASE_URL',
      'mysql://db/x',
      /DATABASE_URL="mysql:\/\/db\/x": must be a postgres:\/\/ URL \(example: DATABASE_URL=postgres:/,
    ],
    ['S3_ENDPOINT', 'minio:9000', /S3_ENDPOINT="minio:9000": must be an http:\/\/ or https:\/\/ URL/],
    ['S3_BUCKET', 'My_Bucket', /S3_BUCKET="My_Bucket": must be 3-63 lowercase letters/],
    [
      'MLOPS_GPUS',
      'two',
      /MLOPS_GPUS="two": must be a GPU count \(2\), a list of device indices \(0,1\) or none \(example: MLOPS_GPUS=2\)/,
    ],
    ['MLOPS_TEMPORAL_PORT', '70000', /MLOPS_TEMPORAL_PORT="70000": must be at most 65535/],
    [
      'MLOPS_SHUTDOWN_GRACE',
      'soon',
      /MLOPS_SHUTDOWN_GRACE="soon": must be a duration such as 500ms, 30s or 2m/,
    ],
    ['MLOPS_LOG_LEVEL', 'loud', /MLOPS_LOG_LEVEL="loud": must be one of trace, debug/],
  ])('rejects %s=%s naming the variable, the problem and a valid example', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('never echoes a secret in its message', () => {
    expect(() => loadConfig({ MLOPS_PII_HMAC_KEY: 'short-secret' })).toThrow(
      /MLOPS_PII_HMAC_KEY=\(12 characters, not shown\): must be at least 32 characters/,
    );
    expect(() => loadConfig({ MLOPS_PII_HMAC_KEY: 'short-secret' })).not.toThrow(/short-secret/);
  });

  it('reports every problem at once', () => {
    try {
      loadConfig({ TEMPORAL_ADDRESS: 'x', S3_BUCKET: 'X', TEMPORAL_TLS_CLIENT_CERT_PATH: '/cert.pem' });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).problems).toHaveLength(3);
      expect((error as ConfigError).problems[2]).toMatch(
        /TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH go together/,
      );
    }
  });
});

describe("Temporal's client configuration (envconfig)", () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'mlops-envconfig-'));
    await writeFile(path.join(folder, 'client.pem'), 'CERT');
    await writeFile(path.join(folder, 'client.key'), 'KEY');
    await writeFile(path.join(folder, 'ca.pem'), 'CA');
    await writeFile(
      path.join(folder, 'temporal.toml'),
      [
        '[profile.default]',
        'address = "localhost:7233"',
        '',
        '[profile.prod]',
        'address = "ml-prod.a1b2c.tmprl.cloud:7233"',
        'namespace = "ml-prod.a1b2c"',
        '[profile.prod.tls]',
        `client_cert_path = "${path.join(folder, 'client.pem')}"`,
        `client_key_path = "${path.join(folder, 'client.key')}"`,
        `server_ca_cert_path = "${path.join(folder, 'ca.pem')}"`,
        'server_name = "ml-prod.internal"',
        '[profile.prod.grpc_meta]',
        'team = "ml"',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('reads the profile TEMPORAL_PROFILE names from TEMPORAL_CONFIG_FILE, the variables overriding it', () => {
    const file = path.join(folder, 'temporal.toml');
    expect(loadConfig({ TEMPORAL_CONFIG_FILE: file }).temporal.address).toBe('localhost:7233');
    const config = loadConfig({
      TEMPORAL_CONFIG_FILE: file,
      TEMPORAL_PROFILE: 'prod',
      TEMPORAL_NAMESPACE: 'other',
    });
    expect(config.temporal).toMatchObject({ address: 'ml-prod.a1b2c.tmprl.cloud:7233', namespace: 'other' });
    expect(temporalConnectionOptions(config, config.temporal.address!)).toEqual({
      address: 'ml-prod.a1b2c.tmprl.cloud:7233',
      apiKey: undefined,
      tls: {
        serverNameOverride: 'ml-prod.internal',
        serverRootCACertificate: bytes('CA'),
        clientCertPair: { crt: bytes('CERT'), key: bytes('KEY') },
      },
      metadata: { team: 'ml' },
    });
  });

  it("takes Temporal's TLS variable names, and refuses the old ones with the new name", () => {
    const config = loadConfig({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(folder, 'client.pem'),
      TEMPORAL_TLS_CLIENT_KEY_PATH: path.join(folder, 'client.key'),
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(folder, 'ca.pem'),
    });
    expect(temporalConnectionOptions(config, 'temporal.internal:7233').tls).toMatchObject({
      serverRootCACertificate: bytes('CA'),
      clientCertPair: { crt: bytes('CERT'), key: bytes('KEY') },
    });
    expect(temporalConnectionOptions(loadConfig({ TEMPORAL_TLS: 'true' }), 'x:1').tls).toEqual({});
    expect(() => loadConfig({ TEMPORAL_TLS_CERT_PATH: '/cert.pem' })).toThrow(
      /TEMPORAL_TLS_CERT_PATH is now TEMPORAL_TLS_CLIENT_CERT_PATH/,
    );
  });

  it('says which profile or file is missing', () => {
    const file = path.join(folder, 'temporal.toml');
    expect(() => loadConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'staging' })).toThrow(
      /Profile 'staging' not found/,
    );
    expect(() => loadConfig({ TEMPORAL_CONFIG_FILE: path.join(folder, 'absent.toml') })).toThrow(
      /TEMPORAL_CONFIG_FILE=.*absent\.toml.*no such file/,
    );
  });
});
