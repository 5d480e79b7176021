import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/index.js';

describe('configuration', () => {
  it('has working defaults: everything embedded', () => {
    const config = loadConfig({});
    expect(config.temporal).toMatchObject({ address: undefined, namespace: 'default', tls: undefined });
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
    expect(config.temporal.tls).toBeDefined();
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
      loadConfig({ TEMPORAL_ADDRESS: 'x', S3_BUCKET: 'X', TEMPORAL_TLS_CERT_PATH: '/cert.pem' });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).problems).toHaveLength(3);
      expect((error as ConfigError).problems[2]).toMatch(
        /TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together/,
      );
    }
  });
});
