import type { Config } from '../../config/index.js';
import { startStackAndPools } from '../session.js';
import { envFile } from '../../stack/env-file.js';
import { cliLogger, onShutdownSignal, printJson } from '../shared.js';
import { describeEndpoints } from './endpoints.js';
import { startServing } from '../serving/serving-process.js';

/**
 * `mlops up`: the embedded stack, both worker pools and the prediction server in the foreground
 * until Ctrl-C. The server takes a free port unless MLOPS_SERVING_PORT says otherwise; its URL and
 * an admin token go into `.mlops/env` (MLOPS_SERVING_URL, MLOPS_API_TOKEN).
 */
export async function upCommand(config: Config, options: { json?: boolean }): Promise<void> {
  const log = cliLogger(config, 'up');
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
  onShutdownSignal(async () => {
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
    gpuDevices: pools.gpuDevices,
    serving: { url: serving.url, models: serving.models, tokenFile: serving.tokenFile ?? null },
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
      `Serving      ${serving.url} (${serving.models.length > 0 ? serving.models.join(', ') : 'models appear once they have a champion'})`,
      serving.tokenFile
        ? `API token    ${serving.tokenFile} (admin; also MLOPS_API_TOKEN in ${summary.envFile})`
        : 'API token    `mlops tokens create --name <name> --scopes predict` makes one',
      summary.envFile
        ? `Environment  set -a; . ${summary.envFile}; set +a`
        : `Stack        joined the one already running`,
      'Ctrl-C stops everything.',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  await pools.finished;
}
