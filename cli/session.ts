import proto from '@temporalio/proto';
import { connectClient, type PlatformClient } from '../client/connect.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../config/logger.js';
import { connectDatabase, type DatabaseHandle } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import type { PoolName } from '../workers/identity.js';
import { startWorkerPools, type RunningPools } from '../workers/pools.js';
import { ensureStack, type Stack } from '../stack/launcher.js';
import { logsChosenByUser } from './log-output.js';

/** What a client command works with: the stack, a Temporal client, maybe workers of its own. */
export interface Session {
  readonly stack: Stack;
  readonly client: PlatformClient;
  /** Worker pools this command started because nobody else polls the queues (embedded stack only). */
  readonly pools: RunningPools | undefined;
  close(): Promise<void>;
}

/** A session of a command that reads the platform's database (runs, models, lineage). */
export interface DatabaseSession extends Session {
  readonly database: DatabaseHandle;
}

/**
 * Connects to the platform, and to its database (migrated first) only for commands that read it:
 * the others (`mlops run`, lifecycle, monitor and schedule commands) talk to Temporal alone. On
 * the embedded stack with no worker polling the CPU queue (a fresh clone, nothing else started),
 * it runs both pools in this process for the command's duration, so `mlops run spec.yaml --wait`
 * works with nothing else running.
 */
export async function openSession(
  config: Config,
  log: Logger,
  options: { workers: boolean; database: true },
): Promise<DatabaseSession>;
export async function openSession(
  config: Config,
  log: Logger,
  options: { workers: boolean; database?: false },
): Promise<Session>;
export async function openSession(
  config: Config,
  log: Logger,
  options: { workers: boolean; database?: boolean },
): Promise<Session | DatabaseSession> {
  const stack = await ensureStack(config, (message) => log.info(message));
  let client: PlatformClient | undefined;
  let database: DatabaseHandle | undefined;
  let pools: RunningPools | undefined;
  try {
    client = await connectClient(config, stack.connections);
    if (options.database) {
      database = connectDatabase(stack.connections.databaseUrl, {
        maxConnections: 4,
        applicationName: 'mlops-cli',
      });
      await migrateDatabase(database.db);
    }
    if (
      options.workers &&
      stack.embedded.temporal &&
      (await pollerCount(client, config.taskQueues.cpu)) === 0
    ) {
      log.info('no worker polls the CPU queue: running worker pools in this process');
      pools = await startWorkerPools({
        config,
        connections: stack.connections,
        pools: ['cpu', 'gpu'],
        log: quietWorkerLog(config, log),
      });
    }
  } catch (error) {
    await client?.close();
    await database?.close();
    await stack.stop();
    throw error;
  }
  const opened = { client, database };
  return {
    stack,
    client: opened.client,
    ...(opened.database ? { database: opened.database } : {}),
    pools,
    close: async () => {
      await opened.client.close();
      await pools?.shutdown();
      await opened.database?.close();
      await stack.stop();
    },
  };
}

/**
 * The stack and worker pools (both by default) in this process; the stack stops again when the
 * pools cannot start.
 */
export async function startStackAndPools(
  config: Config,
  log: Logger,
  poolNames: readonly PoolName[] = ['cpu', 'gpu'],
  options: { readonly quietWorkers?: boolean } = {},
): Promise<{ stack: Stack; pools: RunningPools }> {
  const stack = await ensureStack(config, (message) => log.info(message));
  const pools = await startWorkerPools({
    config,
    connections: stack.connections,
    pools: poolNames,
    log: options.quietWorkers ? quietWorkerLog(config, log) : log,
  }).catch(async (error: unknown) => {
    await stack.stop();
    throw error;
  });
  return { stack, pools };
}

/**
 * The log of worker pools a command runs for itself: what the command prints (progress, a table,
 * the result) is what its user reads, so at the default level they say only warnings and errors,
 * not a line per activity attempt. MLOPS_LOG_LEVEL or `--verbose` shows them; `mlops worker` and
 * `mlops up` log at the configured level.
 */
function quietWorkerLog(config: Config, log: Logger): Logger {
  const quiet = !logsChosenByUser(config) && log.levelVal < 40;
  return log.child({ component: 'workers' }, { level: quiet ? 'warn' : log.level });
}

/** Workers polling a task queue for workflow tasks right now. */
async function pollerCount(
  client: PlatformClient,
  taskQueue: string,
  type = proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
): Promise<number> {
  const response = await client.temporal.workflowService.describeTaskQueue({
    namespace: client.connections.temporal.namespace,
    taskQueue: { name: taskQueue, kind: proto.temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: type,
  });
  return response.pollers?.length ?? 0;
}
