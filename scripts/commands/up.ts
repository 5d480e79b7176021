import type { Config } from '../../config/index.js';
import { startWorkerPools } from '../../workers/pools.js';
import { ensureStack } from '../stack/launcher.js';
import { envFile } from '../stack/env-file.js';
import { cliLogger, onShutdownSignal, printJson } from './shared.js';
import { describeEndpoints } from './endpoints.js';

/** `mlops up`: the embedded stack and both worker pools in the foreground until Ctrl-C. */
export async function upCommand(config: Config, options: { json?: boolean }): Promise<void> {
  const log = cliLogger(config, 'up');
  const stack = await ensureStack(config, (message) => log.info(message));
  let pools;
  try {
    pools = await startWorkerPools({ config, connections: stack.connections, pools: ['cpu', 'gpu'], log });
  } catch (error) {
    await stack.stop();
    throw error;
  }
  onShutdownSignal(async () => {
    await pools.shutdown();
    await stack.stop();
  });
  const summary = {
    ...describeEndpoints(stack.connections),
    stack: stack.owned ? 'started' : 'joined',
    envFile: stack.owned ? envFile(config.home) : undefined,
    workers: pools.identities,
    gpuDevices: pools.gpuDevices,
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
      summary.envFile
        ? `Environment  set -a; . ${summary.envFile}; set +a`
        : `Stack        joined the one already running`,
      'Ctrl-C stops everything.',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  await pools.finished;
}
