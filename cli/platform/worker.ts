import type { Config } from '../../config/index.js';
import type { PoolName } from '../../workers/identity.js';
import { startStackAndPools } from '../session.js';
import { cliLogger, onShutdownSignal, UsageError } from '../shared.js';

/**
 * `mlops worker --pool cpu|gpu|all`: worker processes for scaling out. Against configured services
 * (TEMPORAL_ADDRESS, DATABASE_URL, S3_ENDPOINT) on worker machines; with none configured it joins
 * (or starts) the embedded stack. SIGTERM drains: polling stops, running activities get
 * MLOPS_SHUTDOWN_GRACE to finish.
 */
export async function workerCommand(config: Config, options: { pool: string }): Promise<void> {
  const pools: PoolName[] = options.pool === 'all' ? ['cpu', 'gpu'] : [parsePool(options.pool)];
  const log = cliLogger(config, `worker:${options.pool}`, { service: true });
  const { stack, pools: running } = await startStackAndPools(config, log, pools);
  onShutdownSignal(async (signal) => {
    log.info(
      { signal, graceMs: config.shutdownGraceMs },
      'draining: no new tasks; running activities may finish',
    );
    await running.shutdown();
    await stack.stop();
  });
  await running.finished;
  await stack.stop();
}

function parsePool(pool: string): PoolName {
  if (pool === 'cpu' || pool === 'gpu') return pool;
  throw new UsageError(`--pool must be cpu, gpu or all, not ${JSON.stringify(pool)}`);
}
