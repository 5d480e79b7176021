import os from 'node:os';
import path from 'node:path';
import { CPU_TASK_QUEUE, GPU_TASK_QUEUE } from '../contracts/task-queues.js';
import {
  awsChainVariables,
  variableNames,
  variables,
  type VariableName,
  type VariableSpec,
} from './variables.js';
import { loadTemporalProfile, type TemporalProfile } from './temporal-profile.js';

export { variables, variableNames, awsChainVariables, type VariableName };

/**
 * The platform's configuration, read from the environment once at process start and validated as
 * a whole: every problem is reported together, each naming the variable, what is wrong with its
 * value and an example of a valid one. Workflows never read it; they get what they need as input.
 */
export interface Config {
  readonly temporal: {
    /** Unset: use (or start) the embedded dev server. */
    readonly address: string | undefined;
    readonly namespace: string;
    readonly apiKey: string | undefined;
    /** Temporal's client profile in force (config/temporal-profile.ts): TLS, API key, gRPC metadata. */
    readonly profile: TemporalProfile;
    readonly cliPath: string | undefined;
    /** Where people open runs (links printed by the CLI). */
    readonly uiUrl: string | undefined;
  };
  readonly database: { readonly url: string | undefined };
  readonly s3: {
    /** Unset: use (or start) the embedded S3 server. */
    readonly endpoint: string | undefined;
    readonly bucket: string;
    readonly region: string;
    readonly forcePathStyle: boolean;
  };
  readonly home: string;
  /** Device indices for the GPU pool; undefined: ask nvidia-smi. */
  readonly gpus: readonly number[] | undefined;
  readonly dataRoots: readonly string[];
  /** MLOPS_DATA_BUCKETS: `bucket` or `bucket/prefix` entries s3:// datasets may come from. */
  readonly dataBuckets: readonly string[];
  /** MLOPS_HTTP_SOURCES_ALLOW: non-public hosts or ranges http(s) datasets may reach. */
  readonly httpSourcesAllow: readonly string[];
  readonly taskQueues: { readonly cpu: string; readonly gpu: string };
  readonly cpuActivitySlots: number;
  readonly workflowBundlePath: string | undefined;
  readonly shutdownGraceMs: number;
  readonly logLevel: string;
  /** MLOPS_LOG_LEVEL was set: a terminal then logs at that level, not at warn (cli/log-output.ts). */
  readonly logLevelSet?: boolean;
  readonly codeVersion: string | undefined;
  /**
   * MLOPS_WORKER_DEPLOYMENT: workers poll as Worker Deployment version `<name>.<code version>`
   * (workers/deployment.ts); undefined: unversioned workers.
   */
  readonly workerDeployment: { readonly name: string; readonly setCurrent: boolean } | undefined;
  readonly cpuWattsPerCore: number;
  readonly checkpointIntervalMs: number;
  /** Keyed HMAC for `pii.hash`; undefined when not configured (specs that hash PII are refused). */
  readonly piiHmacKey: string | undefined;
  /** NODE_ENV=production: refuse to exchange payloads with Temporal unencrypted. */
  readonly production: boolean;
  /**
   * Payload encryption keys (config/payload-keys.ts), from one of the two variables; both unset:
   * the embedded stack's key file, else none (codec/data-converter.ts decides what that means).
   */
  readonly payloadKeys: { readonly text: string } | { readonly file: string } | undefined;
  readonly codecServer: {
    /** Unset: the port the embedded UI is pointed at, else 8888. */
    readonly port: number | undefined;
    /** Unset: the embedded UI's origin and TEMPORAL_UI_URL's. */
    readonly allowedOrigins: readonly string[] | undefined;
  };
  readonly serving: {
    readonly host: string;
    /** Unset: the command's default (8080 for `mlops serve`, a free port under `mlops up`). */
    readonly port: number | undefined;
    /** Where clients (`mlops predict`, scripts) reach the server; unset: read from `.mlops/env`. */
    readonly url: string | undefined;
    readonly apiToken: string | undefined;
    readonly maxBodyBytes: number;
    readonly maxInstances: number;
    readonly predictionLogQueue: number;
    /** Where predictions wait, durable, while PostgreSQL is unreachable (default `<home>/serving`). */
    readonly predictionSpillDir: string;
    /** The spill file's bound; past it, predictions are refused (503) rather than answered unlogged. */
    readonly predictionSpillMaxBytes: number;
    readonly refreshIntervalMs: number;
    /** How long a client may take to send a request's headers, and the whole request. */
    readonly headersTimeoutMs: number;
    readonly requestTimeoutMs: number;
    readonly maxConnections: number;
    /** Serve only these models; undefined: every model with a champion. */
    readonly models: readonly string[] | undefined;
  };
  readonly telemetry: {
    /** OpenTelemetry tracing; undefined (no OTLP endpoint set): off, nothing is loaded or exported. */
    readonly tracing: { readonly protocol: 'http/protobuf' | 'http/json' } | undefined;
    /** `host:port` of a worker process's Prometheus endpoint; undefined: none. */
    readonly workerMetricsAddress: string | undefined;
  };
  /** What `mlops gc` keeps (periods in ms; null: kept forever). */
  readonly retention: {
    readonly graceMs: number;
    readonly predictionLogsMs: number | null;
    readonly artifactsMs: number | null;
  };
  /** An address of this machine the embedded stack also listens on, for other machines; undefined: loopback only. */
  readonly listenAddress: string | undefined;
  readonly ports: {
    readonly temporal: number;
    readonly temporalUi: number;
    readonly postgres: number;
    readonly s3: number;
  };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

type Parsed = { [Name in VariableName]?: unknown };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed: Parsed = {};
  const problems: string[] = [];
  for (const name of variableNames) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const spec: VariableSpec = variables[name];
    const result = spec.schema.safeParse(raw.trim());
    if (result.success) parsed[name] = result.data;
    else {
      const reason = result.error.issues.map((issue) => issue.message).join('; ');
      const shown = spec.secret ? `(${raw.length} characters, not shown)` : JSON.stringify(raw);
      problems.push(`${name}=${shown}: ${reason} (example: ${name}=${spec.example})`);
    }
  }
  const temporal = loadTemporalProfile(env);
  problems.push(...temporal.problems);
  if (parsed.MLOPS_PAYLOAD_KEYS !== undefined && parsed.MLOPS_PAYLOAD_KEYS_FILE !== undefined) {
    problems.push(
      'MLOPS_PAYLOAD_KEYS and MLOPS_PAYLOAD_KEYS_FILE both give the payload keys: set one of them ' +
        `(example: MLOPS_PAYLOAD_KEYS_FILE=${variables.MLOPS_PAYLOAD_KEYS_FILE.example})`,
    );
  }
  if (parsed.MLOPS_WORKER_SET_CURRENT === 'true' && parsed.MLOPS_WORKER_DEPLOYMENT === undefined) {
    problems.push(
      'MLOPS_WORKER_SET_CURRENT=true needs MLOPS_WORKER_DEPLOYMENT, the deployment whose current version it sets ' +
        `(example: MLOPS_WORKER_DEPLOYMENT=${variables.MLOPS_WORKER_DEPLOYMENT.example})`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const config = buildConfig(parsed, env, temporal.profile);
  // node:http refuses a headers timeout longer than the whole request's, which includes them.
  const { headersTimeoutMs, requestTimeoutMs } = config.serving;
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError([
      `MLOPS_SERVING_HEADERS_TIMEOUT (${headersTimeoutMs} ms) is longer than MLOPS_SERVING_REQUEST_TIMEOUT (${requestTimeoutMs} ms), which includes the headers: ` +
        `make the request timeout at least as long (example: MLOPS_SERVING_HEADERS_TIMEOUT=${variables.MLOPS_SERVING_HEADERS_TIMEOUT.example} MLOPS_SERVING_REQUEST_TIMEOUT=${variables.MLOPS_SERVING_REQUEST_TIMEOUT.example})`,
    ]);
  }
  return config;
}

function buildConfig(parsed: Parsed, env: NodeJS.ProcessEnv, profile: TemporalProfile): Config {
  const text = (name: VariableName) => parsed[name] as string | undefined;
  const number = (name: VariableName) => parsed[name] as number | undefined;
  const s3Endpoint = text('S3_ENDPOINT');
  const forcePathStyle = text('S3_FORCE_PATH_STYLE');
  return {
    temporal: {
      // The variables override the profile's values (envconfig merged them), as in the `temporal` CLI.
      address: profile.address,
      namespace: profile.namespace ?? 'default',
      apiKey: profile.apiKey,
      profile,
      cliPath: text('TEMPORAL_CLI_PATH'),
      uiUrl: text('TEMPORAL_UI_URL')?.replace(/\/+$/, ''),
    },
    database: { url: text('DATABASE_URL') },
    s3: {
      endpoint: s3Endpoint,
      bucket: text('S3_BUCKET') ?? 'mlops',
      region: text('S3_REGION') ?? env.AWS_REGION ?? 'us-east-1',
      // AWS itself wants virtual-hosted buckets; SeaweedFS, MinIO and the embedded server want path style.
      forcePathStyle: forcePathStyle ? forcePathStyle === 'true' : !/amazonaws\.com/.test(s3Endpoint ?? ''),
    },
    home: path.resolve(text('MLOPS_HOME') ?? '.mlops'),
    gpus: parseGpus(text('MLOPS_GPUS')),
    dataRoots: list(text('MLOPS_DATA_ROOTS')).map((root) => path.resolve(root)),
    dataBuckets: list(text('MLOPS_DATA_BUCKETS')),
    httpSourcesAllow: list(text('MLOPS_HTTP_SOURCES_ALLOW')),
    taskQueues: {
      cpu: text('MLOPS_CPU_TASK_QUEUE') ?? CPU_TASK_QUEUE,
      gpu: text('MLOPS_GPU_TASK_QUEUE') ?? GPU_TASK_QUEUE,
    },
    cpuActivitySlots: number('MLOPS_CPU_ACTIVITY_SLOTS') ?? Math.max(2, os.availableParallelism()),
    workflowBundlePath: text('MLOPS_WORKFLOW_BUNDLE'),
    shutdownGraceMs: number('MLOPS_SHUTDOWN_GRACE') ?? 30_000,
    logLevel: text('MLOPS_LOG_LEVEL') ?? 'info',
    logLevelSet: text('MLOPS_LOG_LEVEL') !== undefined,
    codeVersion: text('MLOPS_CODE_VERSION'),
    workerDeployment: workerDeploymentOf(text('MLOPS_WORKER_DEPLOYMENT'), text('MLOPS_WORKER_SET_CURRENT')),
    cpuWattsPerCore: number('MLOPS_CPU_WATTS_PER_CORE') ?? 12,
    checkpointIntervalMs: number('MLOPS_CHECKPOINT_INTERVAL') ?? 30_000,
    piiHmacKey: text('MLOPS_PII_HMAC_KEY'),
    production: env.NODE_ENV === 'production',
    payloadKeys: payloadKeysOf(text('MLOPS_PAYLOAD_KEYS'), text('MLOPS_PAYLOAD_KEYS_FILE')),
    codecServer: {
      port: number('MLOPS_CODEC_PORT'),
      allowedOrigins: text('MLOPS_CODEC_ORIGINS')?.split(','),
    },
    serving: {
      host: text('MLOPS_SERVING_HOST') ?? '127.0.0.1',
      port: number('MLOPS_SERVING_PORT'),
      url: text('MLOPS_SERVING_URL')?.replace(/\/+$/, ''),
      apiToken: text('MLOPS_API_TOKEN'),
      maxBodyBytes: number('MLOPS_MAX_BODY_BYTES') ?? 1024 * 1024,
      maxInstances: number('MLOPS_MAX_INSTANCES') ?? 1000,
      predictionLogQueue: number('MLOPS_PREDICTION_LOG_QUEUE') ?? 10_000,
      predictionSpillDir: path.resolve(
        text('MLOPS_PREDICTION_SPILL_DIR') ?? path.join(text('MLOPS_HOME') ?? '.mlops', 'serving'),
      ),
      predictionSpillMaxBytes: number('MLOPS_PREDICTION_SPILL_MAX_BYTES') ?? 1024 ** 3,
      refreshIntervalMs: number('MLOPS_SERVING_REFRESH') ?? 5000,
      headersTimeoutMs: number('MLOPS_SERVING_HEADERS_TIMEOUT') ?? 10_000,
      requestTimeoutMs: number('MLOPS_SERVING_REQUEST_TIMEOUT') ?? 30_000,
      maxConnections: number('MLOPS_SERVING_MAX_CONNECTIONS') ?? 4096,
      models: text('MLOPS_SERVING_MODELS')?.split(','),
    },
    telemetry: {
      tracing:
        text('OTEL_EXPORTER_OTLP_ENDPOINT') || text('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')
          ? { protocol: (text('OTEL_EXPORTER_OTLP_PROTOCOL') as 'http/json' | undefined) ?? 'http/protobuf' }
          : undefined,
      workerMetricsAddress: text('MLOPS_WORKER_METRICS_ADDRESS'),
    },
    retention: {
      graceMs: number('MLOPS_GC_GRACE') ?? 24 * 3_600_000,
      predictionLogsMs: (parsed.MLOPS_PREDICTION_RETENTION as number | null | undefined) ?? null,
      artifactsMs: (parsed.MLOPS_ARTIFACT_RETENTION as number | null | undefined) ?? null,
    },
    listenAddress: text('MLOPS_LISTEN_ADDRESS'),
    ports: {
      temporal: number('MLOPS_TEMPORAL_PORT') ?? 0,
      temporalUi: number('MLOPS_TEMPORAL_UI_PORT') ?? 0,
      postgres: number('MLOPS_POSTGRES_PORT') ?? 0,
      s3: number('MLOPS_S3_PORT') ?? 0,
    },
  };
}

function workerDeploymentOf(
  name: string | undefined,
  setCurrent: string | undefined,
): Config['workerDeployment'] {
  return name === undefined ? undefined : { name, setCurrent: setCurrent === 'true' };
}

function payloadKeysOf(keys: string | undefined, file: string | undefined): Config['payloadKeys'] {
  if (keys !== undefined) return { text: keys };
  return file === undefined ? undefined : { file: path.resolve(file) };
}

/** `2` is a count (devices 0 and 1); `0,3` lists device indices; `none` disables the GPU pool. */
function parseGpus(value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  if (value === 'none') return [];
  if (!value.includes(',')) return Array.from({ length: Number(value) }, (_, index) => index);
  return [...new Set(value.split(',').filter(Boolean).map(Number))];
}

/** A comma-separated variable's entries, trimmed, empty ones left out. */
function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}
