import type { Config } from '../../config/index.js';
import type { Logger } from '../../config/logger.js';
import type { Stack } from '../../stack/launcher.js';
import { startStackAndPools } from '../session.js';
import { envFile } from '../../stack/env-file.js';
import { cliLogger, onShutdownSignal, printJson } from '../shared.js';
import { describeEndpoints } from './endpoints.js';
import { startServing } from '../serving/serving-process.js';
import { startCodecServer, type RunningCodecServer } from './codec-server.js';

/**
 * `mlops up`: the embedded stack, both worker pools and the prediction server in the foreground
 * until Ctrl-C. The server takes a free port unless MLOPS_SERVING_PORT says otherwise; its URL and
 * an admin token go into `.mlops/env` (MLOPS_SERVING_URL, MLOPS_API_TOKEN). With the embedded
 * Temporal, the codec server runs too, where the stack's UI expects it.
 */
export async function upCommand(
  configured: Config,
  options: { json?: boolean; listen?: string },
): Promise<void> {
  const config = options.listen ? { ...configured, listenAddress: options.listen } : configured;
  const log = cliLogger(config, 'up', { service: true });
  const { stack, pools } = await startStackAndPools(config, log);
  const serving = await startServing({
    config,
    stack,
    log,
    port: config.serving.port ?? 0,
    host: config.serving.host,
  }).catch(async (error: unknown) => {
    await pools.shutdown();
    await stack.stop();
    throw error;
  });
  const codec = await startEmbeddedCodecServer(config, stack, log).catch(async (error: unknown) => {
    await serving.close();
    await pools.shutdown();
    await stack.stop();
    throw error;
  });
  onShutdownSignal(async () => {
    await codec?.close();
    // Serving first: its in-flight requests finish and its prediction log is written while the database is up.
    await serving.close();
    await pools.shutdown();
    await stack.stop();
  });
  const summary = {
    ...describeEndpoints(stack.connections),
    stack: stack.owned ? 'started' : 'joined',
    envFile: stack.owned ? envFile(config.home) : undefined,
    workers: pools.identities,
    workerMetrics: pools.metricsUrl ?? null,
    gpuDevices: pools.gpuDevices,
    serving: { url: serving.url, models: serving.models, tokenFile: serving.tokenFile ?? null },
    codecServer: codec ? { url: codec.url } : null,
    listening: stack.listening ?? null,
  };
  if (options.json) printJson(summary);
  else {
    const lines = [
      `Temporal     ${summary.temporal.address} (namespace ${summary.temporal.namespace})`,
      `Temporal UI  ${summary.temporal.ui ?? '(not embedded)'}`,
      `PostgreSQL   ${summary.postgres.url}`,
      `S3           ${summary.s3.endpoint ?? 'AWS'} bucket ${summary.s3.bucket}`,
      `CPU pool     ${pools.identities.cpu} on ${pools.taskQueues.cpu}`,
      `GPU pool     ${pools.identities.gpu ? `${pools.identities.gpu} on ${pools.taskQueues.gpu}, devices ${pools.gpuDevices.join(', ')}` : 'not started (no GPU; set MLOPS_GPUS to run it anyway)'}`,
      `Metrics      ${pools.metricsUrl ? `workers ${pools.metricsUrl}, ` : ''}serving ${serving.url}/metrics${pools.metricsUrl ? '' : ' (workers: set MLOPS_WORKER_METRICS_ADDRESS)'}`,
      `Serving      ${serving.url} (${serving.models.length > 0 ? serving.models.join(', ') : 'models appear once they have a champion'})`,
      codec
        ? `Codec server ${codec.url} (decrypted payloads in the UI: sign in at ${codec.url}/ with the API token)`
        : 'Codec server not started (`mlops codec-server` runs one)',
      serving.tokenFile
        ? `API token    ${serving.tokenFile} (admin; also MLOPS_API_TOKEN in ${summary.envFile})`
        : 'API token    `mlops tokens create --name <name> --scopes predict` makes one',
      summary.envFile
        ? `Environment  set -a; . ${summary.envFile}; set +a`
        : `Stack        joined the one already running`,
      ...(stack.listening
        ? [
            `Listening    ${stack.listening.address}: Temporal ${stack.listening.temporal} (mTLS), PostgreSQL and S3 with the stack's credentials; the UI stays on loopback`,
            `Join         copy ${stack.listening.workerEnvFile} to a worker machine, then: set -a; . ./worker.env; set +a; mlops worker --pool cpu`,
          ]
        : []),
      'Ctrl-C stops everything.',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  await pools.finished;
}

/**
 * The codec server where the embedded UI expects it; none for an external Temporal (run
 * `mlops codec-server` where its UI can reach it), and none when another process already serves
 * that port (a second `mlops up` that joined the stack).
 */
async function startEmbeddedCodecServer(
  config: Config,
  stack: Stack,
  log: Logger,
): Promise<RunningCodecServer | undefined> {
  if (!stack.connections.temporal.codecUrl) return undefined;
  try {
    return await startCodecServer({ config, stack, log });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    log.warn(
      `the codec server's port (${stack.connections.temporal.codecUrl}) is taken: not starting another`,
    );
    return undefined;
  }
}
