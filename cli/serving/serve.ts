import type { Config } from '../../config/index.js';
import { ensureStack } from '../../stack/launcher.js';
import { envFile } from '../../stack/env-file.js';
import { startServing } from './serving-process.js';
import { cliLogger, onShutdownSignal, printJson } from '../shared.js';

/** `mlops serve` listens on 8080 unless told otherwise (KServe's port); `mlops up` takes a free one. */
const DEFAULT_SERVING_PORT = 8080;

/**
 * `mlops serve`: the prediction server in the foreground, against configured services or the
 * embedded stack (joined when `mlops up` runs it, started otherwise). SIGTERM stops it gracefully:
 * in-flight requests finish and every logged prediction is written.
 */
export async function serveCommand(
  config: Config,
  options: { port?: number; host?: string; json?: boolean },
): Promise<void> {
  const log = cliLogger(config, 'serve', { service: true });
  const stack = await ensureStack(config, (message) => log.info(message));
  const serving = await startServing({
    config,
    stack,
    log,
    port: options.port ?? config.serving.port ?? DEFAULT_SERVING_PORT,
    host: options.host ?? config.serving.host,
  }).catch(async (error: unknown) => {
    await stack.stop();
    throw error;
  });
  onShutdownSignal(async () => {
    await serving.close();
    await stack.stop();
  });
  const summary = {
    url: serving.url,
    models: serving.models,
    tokenFile: serving.tokenFile ?? null,
    envFile: serving.tokenFile ? envFile(config.home) : null,
  };
  if (options.json) printJson(summary);
  else {
    process.stdout.write(
      [
        `Serving      ${serving.url}  (${serving.models.length > 0 ? serving.models.join(', ') : 'no model has a champion yet'})`,
        serving.tokenFile
          ? `API token    ${serving.tokenFile} (also MLOPS_API_TOKEN in ${envFile(config.home)})`
          : 'API token    `mlops tokens create --name <name> --scopes predict` makes one',
        'Ctrl-C stops the server (in-flight requests finish, the prediction log is written).',
        '',
      ].join('\n'),
    );
  }
}
