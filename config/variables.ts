import { z } from 'zod';
import { connectionVariables } from './connection-variables.js';
import { payloadKeyProblems } from './payload-keys.js';
import {
  hostPort,
  port,
  httpUrl,
  nonEmpty,
  duration,
  period,
  clientTimeout,
  gpuList,
  taskQueue,
  logLevel,
  wholeNumberBetween,
  type VariableSpec,
} from './variable-values.js';

/**
 * Every environment variable the platform reads, with its schema, an example of a valid value and
 * what it does. The README's configuration table and the docker-compose check are built from this
 * list, so a variable that is not here is not read anywhere.
 */

export type { VariableSpec };

export const variables = {
  ...connectionVariables,
  MLOPS_HOME: {
    schema: nonEmpty,
    example: './.mlops',
    description: 'state of the embedded stack (default `.mlops`)',
  },
  MLOPS_GPUS: {
    schema: gpuList,
    example: '2',
    description: 'GPUs for the GPU pool: a count, indices (0,1) or none; unset: nvidia-smi',
  },
  MLOPS_DATA_ROOTS: {
    schema: nonEmpty,
    example: '/data,/mnt/shared',
    description: 'extra folders local dataset paths may be read from (comma-separated)',
  },
  MLOPS_DATA_BUCKETS: {
    schema: nonEmpty,
    example: 'raw-data,shared/exports',
    description:
      "buckets (or bucket/prefix) s3:// datasets may come from besides the platform bucket's datasets/ (comma-separated)",
  },
  MLOPS_HTTP_SOURCES_ALLOW: {
    schema: nonEmpty,
    example: 'files.internal,10.1.0.0/16',
    description:
      'hosts, addresses or CIDR ranges http(s) datasets may reach although loopback, private or link-local (comma-separated)',
  },
  MLOPS_CPU_TASK_QUEUE: {
    schema: taskQueue,
    example: 'mlops-cpu',
    description: 'task queue of the CPU pool (default `mlops-cpu`)',
  },
  MLOPS_GPU_TASK_QUEUE: {
    schema: taskQueue,
    example: 'mlops-gpu',
    description: 'task queue of the GPU pool (default `mlops-gpu`)',
  },
  MLOPS_CPU_ACTIVITY_SLOTS: {
    schema: port.pipe(z.number().min(1, 'must be at least 1')),
    example: '4',
    description: 'concurrent activities on a CPU worker (default: number of cores, at least 2)',
  },
  MLOPS_WORKFLOW_BUNDLE: {
    schema: nonEmpty,
    example: 'dist/workflow-bundle.cjs',
    description: 'prebuilt workflow bundle (production); unset: bundle from source',
  },
  MLOPS_SHUTDOWN_GRACE: {
    schema: duration,
    example: '30s',
    description: 'how long running activities may finish on SIGTERM (default 30s)',
  },
  MLOPS_CODE_VERSION: {
    schema: nonEmpty,
    example: '3f2c1e9',
    description: "code version recorded with every run (default: the git commit of the worker's code)",
  },
  MLOPS_WORKER_DEPLOYMENT: {
    schema: z
      .string()
      .regex(
        /^[A-Za-z0-9_-]+$/,
        'must be letters, digits, `-` or `_` (Temporal joins it to the build id with `.`)',
      ),
    example: 'mlops',
    description:
      'Worker Deployment the workers join, as version `<deployment>.<code version>`; unset: unversioned workers',
  },
  MLOPS_WORKER_SET_CURRENT: {
    schema: z.enum(['true', 'false'], { error: 'must be true or false' }),
    example: 'true',
    description:
      "make this worker's version the deployment's current one once it polls (with MLOPS_WORKER_DEPLOYMENT)",
  },
  MLOPS_CHECKPOINT_INTERVAL: {
    schema: duration,
    example: '30s',
    description: 'how often long training stores a checkpoint to resume from after a retry (default 30s)',
  },
  MLOPS_CPU_WATTS_PER_CORE: {
    schema: z.coerce
      .number({ error: 'must be a number' })
      .positive('must be above 0')
      .max(1000, 'must be at most 1000'),
    example: '12',
    description: 'power per busy CPU core for the energy estimate of each stage (default 12 W)',
  },
  MLOPS_PII_HMAC_KEY: {
    schema: z.string().min(32, 'must be at least 32 characters (use `openssl rand -hex 32`)'),
    example: '5f1c…(64 hex characters)',
    description: 'secret key for `pii.hash` columns (keyed HMAC-SHA256); required by specs that hash PII',
    secret: true,
  },
  MLOPS_PAYLOAD_KEYS: {
    schema: z.string().superRefine((value, context) => {
      for (const problem of payloadKeyProblems(value)) context.addIssue({ code: 'custom', message: problem });
    }),
    example: 'k2:<base64 of 32 bytes>,k1:<base64 of 32 bytes>',
    description:
      'payload encryption keys (AES-256-GCM) as `id:base64key`, comma-separated; the first encrypts, all decrypt; required with NODE_ENV=production (embedded stack: made under .mlops/)',
    secret: true,
  },
  MLOPS_PAYLOAD_KEYS_FILE: {
    schema: nonEmpty,
    example: '/run/secrets/mlops-payload-keys',
    description:
      'a file of payload encryption keys, one `id:base64key` per line (instead of MLOPS_PAYLOAD_KEYS)',
  },
  MLOPS_CODEC_PORT: {
    schema: port,
    example: '8888',
    description:
      'port of the codec server (`mlops codec-server`, `mlops up`); default: the one the embedded Temporal UI is pointed at, else 8888',
  },
  MLOPS_CODEC_ORIGINS: {
    schema: z
      .string()
      .regex(
        /^https?:\/\/[^,\s/]+(,https?:\/\/[^,\s/]+)*$/,
        'must be origins (scheme://host[:port], no path) separated by commas',
      ),
    example: 'https://temporal.example.com,https://cloud.temporal.io',
    description:
      "Temporal UI origins the codec server answers (CORS); default: the embedded UI's and TEMPORAL_UI_URL's",
  },
  MLOPS_LOG_LEVEL: { schema: logLevel, example: 'info', description: 'log level (default info)' },
  MLOPS_TEMPORAL_PORT: {
    schema: port,
    example: '7233',
    description: 'embedded Temporal gRPC port (default: a free port)',
  },
  MLOPS_TEMPORAL_UI_PORT: {
    schema: port,
    example: '8233',
    description: 'embedded Temporal UI port (default: a free port)',
  },
  MLOPS_POSTGRES_PORT: {
    schema: port,
    example: '5432',
    description: 'embedded PostgreSQL port (default: a free port)',
  },
  MLOPS_S3_PORT: { schema: port, example: '9000', description: 'embedded S3 port (default: a free port)' },
  MLOPS_LISTEN_ADDRESS: {
    schema: nonEmpty,
    example: '10.0.0.5',
    description:
      'an address of this machine the embedded stack also listens on, for workers on other machines (`mlops up --listen`; default: loopback only)',
  },
  MLOPS_SERVING_HOST: {
    schema: nonEmpty,
    example: '0.0.0.0',
    description: 'address the prediction server listens on (default 127.0.0.1; 0.0.0.0 in a container)',
  },
  MLOPS_SERVING_PORT: {
    schema: port,
    example: '8080',
    description:
      'port of the prediction server (default 8080 for `mlops serve`, a free port under `mlops up`)',
  },
  MLOPS_SERVING_URL: {
    schema: httpUrl,
    example: 'http://127.0.0.1:8080',
    description: 'the prediction server, for `mlops predict` and scripts (default: from .mlops/env)',
  },
  MLOPS_API_TOKEN: {
    schema: nonEmpty,
    example: 'mlops_3q2…(43 characters)',
    description:
      'bearer token for the prediction server, for `mlops predict` and scripts (default: from .mlops/env)',
    secret: true,
  },
  MLOPS_MAX_BODY_BYTES: {
    schema: wholeNumberBetween(1024, 1024 ** 3),
    example: '1048576',
    description: 'largest request body the prediction server reads (default 1 MiB); larger ones get 413',
  },
  MLOPS_MAX_INSTANCES: {
    schema: wholeNumberBetween(1, 100_000),
    example: '1000',
    description: 'most instances in one predict request (default 1000); more get 413',
  },
  MLOPS_PREDICTION_LOG_QUEUE: {
    schema: wholeNumberBetween(1, 10_000_000),
    example: '10000',
    description: 'predictions held in memory before requests wait for the prediction log (default 10000)',
  },
  MLOPS_PREDICTION_SPILL_DIR: {
    schema: nonEmpty,
    example: '/var/lib/mlops/serving',
    description:
      "the prediction server's own folder for predictions written while PostgreSQL is unreachable, replayed when it is back (default <MLOPS_HOME>/serving)",
  },
  MLOPS_PREDICTION_SPILL_MAX_BYTES: {
    schema: wholeNumberBetween(1024 * 1024, 1024 ** 4),
    example: '1073741824',
    description:
      'largest spill file (default 1 GiB); past it, predictions get 503 instead of an answer that could not be logged',
  },
  MLOPS_SERVING_REFRESH: {
    schema: duration,
    example: '5s',
    description:
      'how often the prediction server re-reads aliases and traffic splits besides NOTIFY (default 5s)',
  },
  MLOPS_SERVING_HEADERS_TIMEOUT: {
    schema: clientTimeout,
    example: '10s',
    description:
      "how long a client may take to send a request's headers (default 10s); slower ones get 408 and the connection is closed",
  },
  MLOPS_SERVING_REQUEST_TIMEOUT: {
    schema: clientTimeout,
    example: '30s',
    description:
      'how long a client may take to send a whole request, body included (default 30s, at least MLOPS_SERVING_HEADERS_TIMEOUT); slower ones get 408 and the connection is closed',
  },
  MLOPS_SERVING_MAX_CONNECTIONS: {
    schema: wholeNumberBetween(1, 1_000_000),
    example: '4096',
    description:
      'open connections one prediction server accepts (default 4096); past it, new connections are closed at once',
  },
  MLOPS_WORKER_METRICS_ADDRESS: {
    schema: hostPort,
    example: '0.0.0.0:9464',
    description:
      "where a worker process serves Prometheus metrics at /metrics: the Temporal SDK's and the platform's (default: none)",
  },
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    schema: httpUrl,
    example: 'http://otel-collector:4318',
    description:
      'OpenTelemetry collector (OTLP/HTTP) that traces are sent to, at /v1/traces; unset (and no OTEL_EXPORTER_OTLP_TRACES_ENDPOINT): tracing is off',
  },
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: {
    schema: httpUrl,
    example: 'http://otel-collector:4318/v1/traces',
    description: 'the full URL traces are sent to (instead of OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces)',
  },
  OTEL_EXPORTER_OTLP_PROTOCOL: {
    schema: z.enum(['http/protobuf', 'http/json'], {
      error:
        'must be http/protobuf or http/json (OTLP/gRPC is not supported: use the collector on port 4318)',
    }),
    example: 'http/protobuf',
    description: 'how traces are encoded: http/protobuf (default) or http/json',
  },
  OTEL_SERVICE_NAME: {
    schema: nonEmpty,
    example: 'mlops-worker-cpu',
    description:
      "the traces' service.name (default mlops-<command>: mlops-worker, mlops-serve, mlops-run, …)",
  },
  OTEL_RESOURCE_ATTRIBUTES: {
    schema: z
      .string()
      .regex(/^[^=,\s]+=[^,]*(,[^=,\s]+=[^,]*)*$/, 'must be key=value pairs separated by commas'),
    example: 'deployment.environment=prod,service.namespace=ml',
    description: 'more resource attributes on every span',
  },
  MLOPS_GC_GRACE: {
    schema: period.pipe(z.number({ error: 'must be a period (off is not allowed here)' })),
    example: '24h',
    description:
      '`mlops gc`: how old an object or artifact row that nothing references must be before it is deleted, so uploads of runs in flight are never touched (default 24h)',
  },
  MLOPS_PREDICTION_RETENTION: {
    schema: period,
    example: '90d',
    description:
      '`mlops gc`: prediction logs (and their labels) older than this are deleted (default off: kept)',
  },
  MLOPS_ARTIFACT_RETENTION: {
    schema: period,
    example: '30d',
    description:
      '`mlops gc`: rejected and archived versions, runs and dataset versions older than this that no kept version uses lose their artifacts (default off: kept)',
  },
  MLOPS_SERVING_MODELS: {
    schema: z.string().regex(/^[^,\s]+(,[^,\s]+)*$/, 'must be model names separated by commas'),
    example: 'penguins-species,flights-delay',
    description: 'the models a prediction server serves (default: every model with a champion)',
  },
} as const satisfies Record<string, VariableSpec>;

export type VariableName = keyof typeof variables;
export const variableNames = Object.keys(variables) as VariableName[];

/** Read by the AWS SDK's standard credential chain, not by this module; listed for the docs and checks. */
export const awsChainVariables = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_REGION',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
] as const;
