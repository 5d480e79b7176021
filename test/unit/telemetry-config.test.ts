import { describe, expect, it } from 'vitest';
import { loadConfig, type ConfigError } from '../../config/index.js';

describe('telemetry configuration', () => {
  it('keeps tracing off without an OTLP endpoint, and off the worker metrics endpoint', () => {
    expect(loadConfig({}).telemetry).toEqual({ tracing: undefined, workerMetricsAddress: undefined });
    expect(loadConfig({ OTEL_SERVICE_NAME: 'mlops-worker-cpu' }).telemetry.tracing).toBeUndefined();
  });

  it('traces with protobuf by default when either endpoint variable is set, JSON when asked', () => {
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).telemetry.tracing).toEqual({
      protocol: 'http/protobuf',
    });
    expect(
      loadConfig({
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      }).telemetry.tracing,
    ).toEqual({ protocol: 'http/json' });
  });

  it('refuses OTLP/gRPC, a malformed endpoint and a worker metrics address without a port', () => {
    let problems: readonly string[] = [];
    try {
      loadConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4317',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        MLOPS_WORKER_METRICS_ADDRESS: '0.0.0.0',
      });
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems).toEqual([
      expect.stringContaining('MLOPS_WORKER_METRICS_ADDRESS="0.0.0.0": must be host:port'),
      expect.stringContaining(
        'OTEL_EXPORTER_OTLP_ENDPOINT="collector:4317": must be an http:// or https:// URL',
      ),
      expect.stringContaining('OTEL_EXPORTER_OTLP_PROTOCOL="grpc": must be http/protobuf or http/json'),
    ]);
  });
});
